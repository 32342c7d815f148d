import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderPlist } from '../../src/launchd/plist-render.js';
import { Launchctl } from '../../src/system/launchctl.js';
import { fakeLaunchctlEnv, stopFakeLaunchd } from '../fakes/launchctl/index.js';
import { waitFor } from '../fakes/launchctl/harness.js';
import { FAKE_LOTUS_BIN, pythonExecutable } from '../fakes/lotus/harness.js';
import { writeFileSync } from 'node:fs';
import { resolveApiUrl, rpcCall } from '../../src/system/lotus-api.js';
import { IS_ROOT, OPERATOR } from '../helpers/operator.js';

const root = mkdtempSync(join(tmpdir(), 'lotusctl-keepalive-'));
// The agent runs as the operator (the double's console user), and its repo lives here.
if (IS_ROOT) chownSync(root, OPERATOR.uid, OPERATOR.gid);
const launchd = join(root, 'launchd');
afterEach(async () => {
  expect(await stopFakeLaunchd(launchd)).toEqual([]);
  rmSync(root, { recursive: true, force: true });
});

describe('the launchd boundary end to end: adapter + launchctl double + fake lotus', () => {
  it('bootstraps lotus, sees it killed, and KeepAlive restarts it no sooner than the throttle interval', async () => {
    const env = fakeLaunchctlEnv(launchd, { consoleUid: OPERATOR.uid, consoleGid: OPERATOR.gid });
    const lc = new Launchctl({ binary: env.LOTUSCTL_LAUNCHCTL as string, env: { ...process.env, ...env } });
    const domain = { kind: 'gui' as const, uid: OPERATOR.uid };
    const label = 'com.lotusctl.keepalive-test';
    const repo = join(root, 'repo');
    const plist = join(root, `${label}.plist`);
    writeFileSync(plist, renderPlist({
      Label: label,
      ProgramArguments: [FAKE_LOTUS_BIN, 'daemon'],
      EnvironmentVariables: {
        LOTUS_PATH: repo, LOTUS_API_LISTENADDRESS: '/ip4/127.0.0.1/tcp/0/http', FAKE_LOTUS_NODE: process.execPath, FAKE_LOTUS_PYTHON: pythonExecutable(),
      },
      KeepAlive: { SuccessfulExit: false, Crashed: true },
      RunAtLoad: true,
      ThrottleInterval: 2,
      ExitTimeOut: 20,
    }));

    const bootstrappedAt = Date.now();
    await lc.bootstrap(domain, plist, { label });
    const first = await waitFor('lotus to run', async () => (await lc.print(domain, label))?.parsed.pid, 20_000);
    await waitFor('its API', async () => {
      const url = resolveApiUrl('auto', repo);
      return url ? (await rpcCall(url, 'Filecoin.Version', [], 2000)).ok : false;
    }, 20_000);
    const printed = (await lc.print(domain, label))!.parsed;
    expect(printed.minimumRuntime).toBe(2);
    expect(printed.lastExit).toEqual({ kind: 'never' });
    const runsBefore = printed.runs as number;

    await lc.kill('SIGKILL', domain, label);
    const second = await waitFor('KeepAlive to restart lotus', async () => {
      const p = (await lc.print(domain, label))?.parsed;
      return p?.pid !== undefined && p.pid !== first ? p : undefined;
    }, 30_000);
    // launchd spawns a job at most once per ThrottleInterval (minimum runtime), counted from the previous spawn,
    // which came after bootstrappedAt: a lower bound, not a timing race.
    expect(Date.now() - bootstrappedAt).toBeGreaterThanOrEqual(2000);
    expect(second.runs).toBe(runsBefore + 1);
    expect(second.lastExit).toMatchObject({ kind: 'signal', signal: 9 });
    // The restarted lotus got the repo lock back (the kernel released the dead one's) and answers again.
    await waitFor('the restarted API', async () => {
      const url = resolveApiUrl('auto', repo);
      return url ? (await rpcCall(url, 'Filecoin.Version', [], 2000)).ok : false;
    }, 20_000);

    expect(await lc.bootout(domain, label)).toBe('booted-out');
    expect(await lc.print(domain, label)).toBeUndefined();
  });
});
