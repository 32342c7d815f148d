import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as buildPlist } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { holdFcntlLock } from '../helpers/fcntl-lock.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let holder: ChildProcess | undefined;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  holder?.kill('SIGKILL');
  holder = undefined;
  expect(await sb.stop()).toEqual([]);
});

interface Check { id: string; level: string; message: string; fix: string | null; details: string[]; fixable: boolean }
interface Doctor { exit_code: number; groups: Array<{ group: string; checks: Check[] }>; fixes: Array<{ group: string; check: string; action: string; ok: boolean; message: string }> | null }

async function doctor(args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; json: Doctor; get: (group: string, id: string) => Check }> {
  const r = await sb.cli(['doctor', '--json', ...args], env);
  const json = JSON.parse(r.stdout) as Doctor;
  expect(json.exit_code).toBe(r.code);
  return {
    code: r.code, json,
    get: (group, id) => {
      const c = json.groups.find((g) => g.group === group)?.checks.find((x) => x.id === id);
      if (!c) throw new Error(`no ${group} ${id} in ${r.stdout}`);
      return c;
    },
  };
}

const repoLock = () => join(sb.home, '.lotus/repo.lock');

async function applyAndWaitHealthy(): Promise<{ domain: string; pid: number }> {
  expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
  const status = await waitFor('status exit 0', async () => {
    const r = await sb.cli(['status', '--json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  }, 60_000);
  const d = status.services.find((s: { service: string }) => s.service === 'daemon');
  return { domain: d.domain, pid: d.pid };
}

describe('lotusctl doctor', () => {
  it('a running node: the job holds repo.lock (through its child), lotus --version runs, launchd and the monitor are fine; macOS-only checks are unknown, not ok', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 1s\n'));
    const { pid } = await applyAndWaitHealthy();
    const d = await doctor();
    const fails = d.json.groups.flatMap((g) => g.checks.filter((c) => c.level === 'fail').map((c) => `${g.group} ${c.id}: ${c.message}`));
    expect(fails).toEqual([]);
    // Linux has no quarantine flags and no kern.maxfilesperproc: warnings, so exit 2 at best.
    expect(d.code).toBe(2);
    expect(d.get('daemon', 'repo.lock')).toMatchObject({ level: 'ok', message: expect.stringMatching(new RegExp(`^held by pid \\d+ \\(.*\\), a child of the job \\(pid ${pid}\\)$`)) });
    expect(d.get('daemon', 'program.version')).toMatchObject({ level: 'ok', message: 'lotus version 1.36.2+mainnet+git.5a8ed2a' });
    expect(d.get('daemon', 'launchd.running')).toMatchObject({ level: 'ok', message: expect.stringContaining(`pid ${pid}`) });
    expect(d.get('daemon', 'clock')).toMatchObject({ level: 'ok' });
    expect(d.get('daemon', 'program.quarantine')).toMatchObject({ level: 'warn', message: expect.stringMatching(/^unknown \(.*not available on linux\)$/) });
    expect(d.get('daemon', 'limits.open-files')).toMatchObject({ level: 'warn', message: expect.stringMatching(/kern\.maxfilesperproc unknown/) });
    expect(d.get('monitor', 'monitor.ticking')).toMatchObject({ level: 'ok' });
    const text = await sb.cli(['doctor']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^daemon \(com\.lotusctl\.daemon, \S+\)\n {2}ok {4}plist\.exists/);
    expect(text.stdout).toMatch(/\d+ ok, \d+ warnings?, 0 failures, \d+ skipped\.\n$/);
  }, 120_000);

  it('--fix repairs a group-writable plist, a missing log folder and a leftover repo.lock, says so, and a second doctor shows them ok; a held lock is never touched', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 1s\n'));
    const { domain } = await applyAndWaitHealthy();
    // The daemon stops gracefully (removing its lock); a crash leaves an empty, unheld lock behind; hands break the rest.
    expect((await sb.launchctl(['bootout', `${domain}/com.lotusctl.daemon`])).code).toBe(0);
    await waitFor('lock released', () => !existsSync(repoLock()), 30_000);
    writeFileSync(repoLock(), '');
    const plistPath = sb.agentPlist('com.lotusctl.daemon');
    chmodSync(plistPath, 0o664);
    rmSync(join(sb.home, 'Library/Logs/lotus'), { recursive: true, force: true });

    const broken = await doctor();
    expect(broken.code).toBe(1);
    expect(broken.get('daemon', 'plist.mode')).toMatchObject({ level: 'fail', fixable: true, message: expect.stringMatching(/mode 664 is group\/world-writable/) });
    expect(broken.get('daemon', 'logs.folder')).toMatchObject({ level: 'fail', fixable: true, message: expect.stringMatching(/does not exist: .*78/) });
    expect(broken.get('daemon', 'repo.lock')).toMatchObject({ level: 'warn', fixable: true, message: expect.stringMatching(/not held by any process.*harmless/) });
    expect(broken.get('daemon', 'launchd.loaded')).toMatchObject({ level: 'fail', fixable: false, fix: 'lotusctl apply' });

    const fixed = await sb.cli(['doctor', '--fix']);
    expect(fixed.code).toBe(1); // still not loaded: that is apply's job, not doctor's
    expect(fixed.stdout).toMatch(/--fix:\n(\s+fixed\s+daemon .*\n){3}/);
    expect(fixed.stdout).toContain(`fixed  daemon plist.mode: chmod 644 ${plistPath}`);
    expect(fixed.stdout).toMatch(/fixed {2}daemon logs\.folder: mkdir -p .*Library\/Logs\/lotus/);
    expect(fixed.stdout).toContain(`fixed  daemon repo.lock: removed the unheld, empty ${repoLock()}`);
    expect(statSync(plistPath).mode & 0o777).toBe(0o644);
    expect(existsSync(repoLock())).toBe(false);

    const again = await doctor();
    expect(again.get('daemon', 'plist.mode').level).toBe('ok');
    expect(again.get('daemon', 'logs.folder').level).toBe('ok');
    expect(again.get('daemon', 'repo.lock')).toMatchObject({ level: 'ok', message: 'no repo.lock: no Lotus process has the repo open' });

    // Another process holds the lock (a second lotus, an import): doctor names it, and --fix leaves it alone.
    holder = await holdFcntlLock(repoLock());
    const held = await doctor(['--fix']);
    expect(held.get('daemon', 'repo.lock')).toMatchObject({ level: 'fail', fixable: false, message: expect.stringMatching(new RegExp(`^held by pid ${holder.pid} \\(.*\\), which is not this job`)) });
    expect(held.json.fixes).toEqual([]);
    expect(existsSync(repoLock())).toBe(true);
  }, 120_000);

  it('every cause of EX_CONFIG it can see before anything runs, a second plist on the same repo, no GUI session, and a monitor that never ticked', async () => {
    sb.writeSpec(`version: 1
services:
  daemon:
    program: ${join(sb.bin, 'lotus')}
    args: [daemon]
    repo: ~/.lotus
    working_directory: ~/lotus-work
    logs: { stdout: ~/Documents/lotus.out.log, stderr: ~/Library/Logs/lotus/daemon.err.log }
  miner:
    program: /nonexistent/lotus-miner
    args: [run]
monitor:
  schedule: 30s
`);
    mkdirSync(join(sb.home, 'Documents'), { recursive: true });
    mkdirSync(join(sb.home, '.lotus'), { recursive: true });
    // Someone installed lotus by hand too, on the same repo, as an agent for every user (/Library/LaunchAgents, here a sandbox folder).
    const agents = sb.path('Library/LaunchAgents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(join(agents, 'io.example.lotus.plist'), buildPlist({
      Label: 'io.example.lotus', ProgramArguments: [join(sb.bin, 'lotus'), 'daemon'], EnvironmentVariables: { LOTUS_PATH: '~/.lotus' }, RunAtLoad: true,
    }));
    const env = { FAKE_LAUNCHD_NO_GUI: '1', LOTUSCTL_SYSTEM_AGENTS_DIR: agents };
    const d = await doctor([], env);
    expect(d.code).toBe(1);
    expect(d.get('daemon', 'working-directory')).toMatchObject({ level: 'fail', fixable: true });
    expect(d.get('daemon', 'paths.privacy')).toMatchObject({ level: 'fail', message: expect.stringMatching(/stdout log .*lotus\.out\.log is in ~\/Documents/) });
    expect(d.get('daemon', 'duplicates')).toMatchObject({ level: 'fail', message: expect.stringMatching(/io\.example\.lotus\.plist \(io\.example\.lotus\) also runs lotus on .*\.lotus: two launchd jobs fight over repo\.lock/) });
    expect(d.get('miner', 'program.path')).toMatchObject({ level: 'fail', message: expect.stringMatching(/^\/nonexistent\/lotus-miner does not exist: launchd ends the job with 78/) });
    expect(d.get('miner', 'logs')).toMatchObject({ level: 'warn' });
    expect(d.get('daemon', 'launchd.domain')).toMatchObject({ level: 'fail', fix: expect.stringMatching(/domain: user/) });
    expect(d.get('monitor', 'monitor.ticking')).toMatchObject({ level: 'fail', message: expect.stringMatching(/no samples in the last 24 h/) });

    const f = await doctor(['--fix'], env);
    expect(f.json.fixes?.map((x) => `${x.group} ${x.check} ${x.ok}`)).toEqual(expect.arrayContaining(['daemon working-directory true', 'daemon logs.folder true']));
    expect(f.get('daemon', 'working-directory').level).toBe('ok');
    expect(statSync(join(sb.home, 'lotus-work')).isDirectory()).toBe(true);
  }, 120_000);
});
