// lotusctl installs like any npm CLI: pack the repository, install the tarball globally into an empty prefix, and
// run `lotusctl` from PATH in an unrelated folder. The dependencies come from npm's cache when it has them
// (`npm ci` fills it), else from the registry.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lotusctl-install-'));
const prefix = join(tmp, 'prefix');
const elsewhere = join(tmp, 'elsewhere');
const installed = join(prefix, 'lib', 'node_modules', 'lotusctl');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

function run(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

// Only the installed prefix and the system folders: no node_modules/.bin of this repository, no dist/ nearby.
const userEnv = () => ({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: join(tmp, 'home'), NO_COLOR: '1' });

beforeAll(async () => {
  mkdirSync(elsewhere, { recursive: true });
  mkdirSync(join(tmp, 'home'), { recursive: true });
  // npm test has just built dist/; --ignore-scripts skips prepack's second build.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], { cwd: repoRoot });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = readdirSync(tmp).find((f) => /^lotusctl-.*\.tgz$/.test(f));
  expect(tarball).toBeDefined();
  const install = await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, tarball as string)], { cwd: elsewhere });
  expect(install.code, install.stderr).toBe(0);
  copyFileSync(join(installed, 'lotus.yaml.example'), join(elsewhere, 'lotus.yaml'));
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack + npm install -g', () => {
  it('puts an executable lotusctl on PATH that runs from any folder', async () => {
    const r = await run('lotusctl', ['--version'], { cwd: elsewhere, env: userEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('ships what runs need: lotus.yaml.example validates, specs/ and the schema are there', async () => {
    expect(existsSync(join(installed, 'specs', 'lotus.schema.json'))).toBe(true);
    expect(existsSync(join(installed, 'specs', 'lotus-yaml.md'))).toBe(true);
    const r = await run('lotusctl', ['validate'], { cwd: elsewhere, env: userEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lotus\.yaml: valid \(1 service/);
    const help = await run('lotusctl', ['plan', '--help'], { cwd: elsewhere, env: userEnv() });
    expect(help.stdout).toMatch(/--detailed-exitcode/);
  });

  it('the monitor job launchd would run points at the installed bin', async () => {
    const r = await run('lotusctl', ['render', '--service', 'monitor'], { cwd: elsewhere, env: userEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`<string>${join(installed, 'dist', 'cli', 'main.js')}</string>`);
  });

  it('serves the programmatic API from the same package', async () => {
    const r = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('lotusctl'); console.log(typeof m.plan, typeof m.loadSpec)"], { cwd: join(prefix, 'lib'), env: userEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('function function');
  });
});
