// Slow shutdowns (issue 9, item 6): `bootout` returns before Lotus has closed its datastores (the double's bootout lag),
// and a Lotus that takes longer than lotusctl's old 10 s poll is waited for, with progress; a rollback never loads the
// previous job over a process that is still draining. 13 s of shutdown is enough: the old wait gave up after 10 s.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';

const DAEMON = 'com.lotusctl.daemon';
const SHUTDOWN_MS = 13_000;

/** The fake lotus takes SHUTDOWN_MS to stop on SIGTERM; exit_timeout 60s, so launchd lets it (specs/lotus-operations.md). */
function slowSpec(version = 1, health = 'health: { startup_grace: 30s }'): string {
  return Sandbox.lotusDaemonSpec()
    .replace('env: { ', `env: { FAKE_LOTUS_SCENARIO: slow-shutdown, FAKE_LOTUS_SHUTDOWN_DELAY_MS: "${SHUTDOWN_MS}", NODE_VERSION: "${version}", `)
    .replace('health: { startup_grace: 30s }', health);
}

let sb: Sandbox | undefined;
afterEach(async () => {
  if (sb) expect(await sb.stop()).toEqual([]);
  sb = undefined;
});

describe('a Lotus that takes 13 s to shut down', () => {
  it('is waited for when its job is replaced, and the rollback of a failed start waits for the new one to drain before reloading the old', async () => {
    sb = new Sandbox({ FAKE_LAUNCHD_BOOTOUT_LAG_MS: '1' }); // bootout returns at once; the label stays while the process drains
    sb.writeSpec(slowSpec());
    const first = await sb.cli(['apply', '--auto-approve']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = await sb.print(DAEMON);
    const oldPlist = readFileSync(sb.agentPlist(DAEMON), 'utf8');

    // The new version never answers on its API (a wrong address, 3 s grace): apply must replace the job (waiting for
    // the old node to stop), see the new one fail, and roll back (waiting for the new one to stop first).
    sb.writeSpec(slowSpec(2, 'health: { api: /ip4/127.0.0.1/tcp/9/http, startup_grace: 3s }'));
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error\[apply\.api-timeout\]: daemon/m);
    const waits = r.stdout.match(new RegExp(`daemon: waiting for ${DAEMON.replace(/\./g, '\\.')} to exit: \\d+s of up to 75s \\(ExitTimeOut 60s \\+ margin\\)`, 'g')) ?? [];
    expect(waits.length, r.stdout).toBeGreaterThanOrEqual(2); // one per drain at least: the old node's, then the new one's
    expect(r.stdout).toMatch(/daemon: rolled back: booted out com\.lotusctl\.daemon/);
    expect(r.stdout).toMatch(/daemon: rolled back: bootstrapped the previous com\.lotusctl\.daemon again/);
    expect(r.stdout).not.toMatch(/could NOT roll back/);

    // The end state: the previous plist, loaded and running again, one node on the repo.
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toBe(oldPlist);
    const after = await waitFor('the previous node to run again', async () => (await sb!.print(DAEMON)).pid, 30_000);
    expect(after).not.toBe(before.pid);
    sb.writeSpec(slowSpec());
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 180_000);
});
