import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

const GIB = 1024 ** 3;
let sb: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  sb = new Sandbox();
  const facts = sb.path('machine.json');
  writeFileSync(facts, JSON.stringify({ platform: 'darwin', os_version: '15.1', cpu_cores: 12, memory_bytes: 64 * GIB, max_files_per_proc: 245760, volumes: [] }));
  env = { LOTUSCTL_MACHINE_FACTS: facts };
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

/** `[address, action]` of every change plan --json shows. */
async function planned(extra: Record<string, string> = {}): Promise<Array<[string, string]>> {
  const r = await sb.cli(['plan', '--json'], { ...env, ...extra });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).changes.map((c: { address: string; action: string }) => [c.address, c.action]);
}

describe('lotusctl init', () => {
  it('writes a commented lotus.yaml that validates, plans the expected creates and leaves optimize nothing to propose', async () => {
    mkdirSync(join(sb.home, '.lotus'));
    const r = await sb.cli(['init', '--domain', 'gui'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote lotus.yaml for this machine (domain gui): daemon and the monitor.');
    expect(r.stderr).toBe('');
    const text = readFileSync(sb.path('lotus.yaml'), 'utf8');
    expect(text).toContain(`    program: ${join(sb.bin, 'lotus')}`);
    expect(text).toMatch(/ {4}repo: ~\/\.lotus +# an existing repo \(the default ~\/\.lotus\); lotusctl never writes inside it/);
    expect(text).toMatch(/ {2}max_memory: 56GiB +# launchd has no memory limit; this Mac has 64GiB/);

    const v = await sb.cli(['validate'], env);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('lotus.yaml: valid (1 service)');
    expect((await planned()).filter(([, a]) => a !== 'no-op').sort()).toEqual([
      [`daemon.directory[${join(sb.home, 'Library/Logs/lotus')}]`, 'create'],
      ['daemon.job', 'create'], ['daemon.plist', 'create'],
      [`monitor.directory[${join(sb.home, 'Library/Logs/lotusctl')}]`, 'create'],
      ['monitor.job', 'create'], ['monitor.plist', 'create'],
    ]);
    const opt = await sb.cli(['optimize'], env);
    expect(opt.code, opt.stdout).toBe(0);
  });

  it('--miner adds lotus-miner after the daemon, with its repo; --json reports what it wrote', async () => {
    sb.script('lotus-miner', 'exec sleep 600');
    mkdirSync(join(sb.home, 'miner-repo'));
    const r = await sb.cli(['init', '--miner', '--domain', 'gui', '--json'], { ...env, LOTUS_MINER_PATH: join(sb.home, 'miner-repo') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      format_version: '1', file: 'lotus.yaml', domain: 'gui',
      services: { daemon: { program: join(sb.bin, 'lotus'), label: 'com.lotusctl.daemon' }, miner: { program: join(sb.bin, 'lotus-miner'), label: 'com.lotusctl.miner' } },
      monitor: { max_memory: '56GiB' }, warnings: [],
    });
    const text = readFileSync(sb.path('lotus.yaml'), 'utf8');
    expect(text).toContain(`      LOTUS_MINER_PATH: ${join(sb.home, 'miner-repo')}`);
    expect(text).toContain('    depends_on: [daemon]');
    expect((await sb.cli(['validate'], env)).code).toBe(0);
    const changes = await planned();
    expect(changes.filter(([a]) => a.endsWith('.job')).map(([a]) => a)).toEqual(['daemon.job', 'miner.job', 'monitor.job']);
  });

  it('--domain system writes a LaunchDaemon running as the sudo user', async () => {
    const daemons = sb.path('LaunchDaemons');
    const r = await sb.cli(['init', '--domain', 'system', '--out', 'system.yaml'], { ...env, SUDO_USER: 'alice' });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(sb.path('system.yaml'), 'utf8');
    expect(text).toMatch(/ {4}user: alice +# run as you, not root/);
    expect(text).toContain('    logs: { dir: /Library/Logs/lotus }');
    const v = await sb.cli(['validate', '-f', 'system.yaml'], { ...env, LOTUSCTL_SYSTEM_DAEMONS_DIR: daemons });
    expect(v.code, v.stderr).toBe(0);
  });

  it('without a lotus binary it still writes a valid file, says so in the file and on stderr', async () => {
    const r = await sb.cli(['init'], { ...env, PATH: '/usr/bin:/bin' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: lotus was not found on PATH, \/opt\/homebrew\/bin or \/usr\/local\/bin; install it before `lotusctl apply`/m);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toMatch(/ {4}program: lotus +# NOT FOUND on PATH/);
    const v = await sb.cli(['validate'], { ...env, PATH: '/usr/bin:/bin' });
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(/services\.daemon\.program: warning: "lotus" was not found on the search path/);
  });

  it('refuses to overwrite a file (exit 1) and refuses an unknown domain', async () => {
    sb.writeSpec('# mine\n');
    const r = await sb.cli(['init'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[init\.exists\]: lotus\.yaml exists; init never overwrites a file/);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe('# mine\n');
    const bad = await sb.cli(['init', '--domain', 'login', '--out', 'x.yaml'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error\[init\.bad-domain\]/);
    expect(existsSync(sb.path('x.yaml'))).toBe(false);
  });
});
