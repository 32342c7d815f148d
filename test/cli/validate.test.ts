import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lotusctl-cli-'));
const home = join(tmp, 'home');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spec(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('lotusctl validate', () => {
  it('exits 0 on the example spec', async () => {
    const r = await runCli(['validate', '-f', 'lotus.yaml.example'], { env: { HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lotus\.yaml\.example: valid \(1 service/);
  });

  it('prints every problem as file:line:col  path: message (hint), exits 1, no stack', async () => {
    const f = spec('bad.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    exit_timout: 10s\n    nice: 99\n');
    const r = await runCli(['validate', '-f', f], { env: { HOME: home } });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${f}:5:5  services.daemon.exit_timout: unknown key "exit_timout" (did you mean "exit_timeout"?)`);
    expect(lines[1]).toBe(`${f}:6:11  services.daemon.nice: must be at most 20, got number 99`);
    expect(lines[2]).toBe(`${f}: 2 errors, 0 warnings; nothing was changed`);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('--strict turns warnings into errors', async () => {
    const f = spec('warn.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    exit_timeout: 10s\n');
    expect((await runCli(['validate', '-f', f], { env: { HOME: home } })).code).toBe(0);
    const strict = await runCli(['validate', '--strict', '-f', f], { env: { HOME: home } });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/:5:19  services\.daemon\.exit_timeout: launchd sends SIGKILL/);
  });

  it('exit_timeout: 0s is not "SIGKILL after 0s": launchd then never sends SIGKILL', async () => {
    const f = spec('zero.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    exit_timeout: 0s\n');
    const r = await runCli(['validate', '-f', f], { env: { HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/:5:19  services\.daemon\.exit_timeout: warning: exit_timeout: 0s means launchd never sends SIGKILL: a Lotus that hangs while stopping blocks bootout, apply and the monitor's restarts .*gives up waiting after 10 minutes/);
    expect(r.stderr).not.toMatch(/SIGKILL 0s after SIGTERM/);
  });

  it('--json gives a versioned document', async () => {
    const f = spec('json.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    bogus: 1\n');
    const r = await runCli(['validate', '--json', '-f', f], { env: { HOME: home } });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format_version: '1', valid: false, diagnostics: [{ line: 5, col: 5, code: 'spec.unknown-key', path: 'services.daemon.bogus', severity: 'error' }] });
  });

  it('a missing file is one clear error with a hint', async () => {
    const r = await runCli(['validate', '-f', join(tmp, 'nope.yaml')], { env: { HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error[spec.not-found]: ${join(tmp, 'nope.yaml')}: no such file\nhint: pass -f PATH, or copy lotus.yaml.example to lotus.yaml\n`);
  });

  it('bad input changes nothing on disk', async () => {
    const f = spec('hostile.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    label: ../../../etc/evil\n');
    for (const cmd of ['validate', 'render']) {
      const r = await runCli([cmd, '-f', f], { env: { HOME: home } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/services\.daemon\.label: a label may hold only/);
    }
    expect(readdirSync(tmp).sort()).toEqual(['bad.yaml', 'hostile.yaml', 'json.yaml', 'warn.yaml', 'zero.yaml'].filter((n) => readdirSync(tmp).includes(n)).sort());
  });
});

describe('lotusctl render and schema', () => {
  it('render prints the plist for one service, secrets masked', async () => {
    const secret = join(tmp, 'token');
    writeFileSync(secret, 'super-secret-value\n');
    const f = spec('render.yaml', `version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    args: [daemon]\n    secret_env: { TOKEN: { file: ${secret} } }\n  miner:\n    program: /bin/lotus-miner\n`);
    const r = await runCli(['render', '-f', f, '--service', 'daemon'], { env: { HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<string>com.lotusctl.daemon</string>');
    expect(r.stdout).toContain('<key>TOKEN</key>\n\t\t\t<string>(sensitive)</string>');
    expect(r.stdout).not.toContain('super-secret-value');
    expect(r.stdout).not.toContain('lotus-miner');
  });

  it('render --service with an unknown name says which exist', async () => {
    const f = spec('render2.yaml', 'version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n');
    const r = await runCli(['render', '-f', f, '--service', 'nope'], { env: { HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[cli\.unknown-service\]: no service "nope"/);
    expect(r.stderr).toMatch(/hint: services: daemon/);
  });

  it('schema prints JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'lotus.yaml', type: 'object' });
  });
});
