// Privacy-protected folders and external volumes (issue 9, item 7): every path a job uses is checked after ~ and
// relative paths are resolved, and a repo on /Volumes makes the job wait for the volume, so that Lotus never
// initialises a fresh repo on the boot disk when the disk is not there at boot.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const DAEMON = 'com.lotusctl.daemon';

/** A process whose command line has all of `parts` (read through /proc). */
function processWith(...parts: string[]): number | undefined {
  for (const e of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (parts.every((p) => argv.includes(p))) return Number(e);
    } catch {
      // gone
    }
  }
  return undefined;
}

describe('a repo on an external volume', () => {
  it('the job waits for the volume: after a reboot without the disk Lotus does not start (nor make a repo on the boot disk), and starts on its own repo once the disk is back', async () => {
    const volume = sb.mountVolume('LotusData');
    const repo = join(volume, 'lotus');
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('repo: ~/.lotus', `repo: ${repo}`));
    const v = await sb.cli(['validate']);
    expect(v.stderr).toMatch(/services\.daemon\.repo: warning: the repo .* is on the external volume .*LotusData: launchd jobs may be denied it/);
    expect(v.stdout).toMatch(/services\.daemon\.repo: note: the job starts through .*wait4path .*LotusData: Lotus runs only once the volume is mounted/);
    expect(v.stdout).not.toMatch(/could not tell the file system/);

    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toMatch(/<string>\/bin\/sh<\/string>\s*<string>-c<\/string>\s*<string>"\$0" "\$1" &amp;&amp; shift &amp;&amp; exec "\$@"<\/string>/);
    expect(existsSync(join(repo, 'keystore'))).toBe(true);
    writeFileSync(join(repo, 'marker'), 'the repo on the volume\n');

    // The Mac restarts without the disk plugged in; the operator logs in.
    await sb.reboot();
    sb.unmountVolume('LotusData');
    await sb.login();
    const waiting = await waitFor('the job to wait for the volume', () => processWith(join(volume)) , 30_000);
    expect(waiting).toBeGreaterThan(0);
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0); // launchd runs the job: it is waiting, not failing
    expect(existsSync(volume)).toBe(false); // nothing created a fresh repo in its place

    // The disk is plugged in: Lotus starts, on the repo it had.
    sb.mountVolume('LotusData');
    await waitFor('Lotus to answer on the volume repo', () => existsSync(join(repo, 'api')) && processWith(join(volume)) === undefined, 30_000);
    expect(readFileSync(join(repo, 'marker'), 'utf8')).toBe('the repo on the volume\n');
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 120_000);

  it('a volume without Unix permissions (exFAT) is a warning; one whose file system cannot be read is a note', async () => {
    const stick = sb.mountVolume('Stick', 'exfat');
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('repo: ~/.lotus', `repo: ${join(stick, 'lotus')}`));
    const v = await sb.cli(['validate']);
    expect(v.stderr).toMatch(/services\.daemon\.repo: warning: .*Stick is exfat, which keeps no Unix owners or permissions: Lotus refuses a keystore that is not 0600/);
    mkdirSync(join(sb.volumesDir, 'Gone'));
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('repo: ~/.lotus', `repo: ${join(sb.volumesDir, 'Gone', 'lotus')}`));
    const unknown = await sb.cli(['validate']);
    expect(unknown.stdout).toMatch(/note: could not tell the file system of .*Gone \(it is not in the mount table \(not mounted right now\)\): Lotus needs APFS or HFS\+/);
  });
});

describe('privacy-protected folders', () => {
  it('every path a job uses is checked after ~ and relative paths are resolved, the spec file the monitor reads included', async () => {
    // A project folder in ~/Documents: relative paths put everything there.
    const project = join(sb.home, 'Documents', 'node');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'token'), 'secret\n', { mode: 0o600 });
    sb.chownToOperator(join(sb.home, 'Documents'));
    writeFileSync(join(project, 'lotus.yaml'), `version: 1
services:
  daemon:
    program: /bin/sleep
    args: ["600"]
    repo: lotus-repo
    working_directory: .
    logs: { dir: logs }
    secret_env: { TOKEN: { file: token } }
  icloud:
    program: /bin/sleep
    repo: "~/Library/Mobile Documents/com~apple~CloudDocs/lotus"
monitor: {}
`);
    const v = await sb.cli(['validate', '-f', join(project, 'lotus.yaml'), '--json']);
    const doc = JSON.parse(v.stdout);
    const hits = doc.diagnostics.map((d: { code: string; path: string }) => `${d.path} ${d.code}`).sort();
    expect(hits).toEqual([
      'monitor lint.path-in-privacy-folder',
      'services.daemon.logs.dir lint.logs-in-privacy-folder',
      'services.daemon.repo lint.path-in-privacy-folder',
      'services.daemon.secret_env.TOKEN.file lint.path-in-privacy-folder',
      'services.daemon.working_directory lint.path-in-privacy-folder',
      'services.icloud.repo lint.path-in-privacy-folder',
    ]);
    expect(doc.diagnostics.find((d: { path: string }) => d.path === 'services.icloud.repo').message).toMatch(/is in ~\/Library\/Mobile Documents \(iCloud Drive\): macOS privacy protection keeps launchd jobs out of it/);
    expect(doc.diagnostics.find((d: { path: string }) => d.path === 'monitor').message).toMatch(/the spec file the monitor job reads .*lotus\.yaml is in ~\/Documents/);
  });
});
