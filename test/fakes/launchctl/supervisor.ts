// The fake launchd process: one per state dir, started detached by the first CLI call, serving a unix socket.
// It exits on `__fake_shutdown`, on SIGTERM/SIGINT/SIGHUP, when its state dir disappears, when the owning test
// process dies (FAKE_LAUNCHD_OWNER_PID), or after FAKE_LAUNCHD_IDLE_MS with nothing loaded, so nothing is left behind.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { Launchd } from './launchd.js';
import { acquirePidfile, releasePidfile, safeUnlink } from './lock.js';
import { machineConfigFromEnv, SUPERVISOR_IS_ROOT } from './machine.js';
import { statePaths } from './paths.js';
import { isAlive, killGroup, livePidsInGroups, sleep } from './proc.js';
import type { Response } from './protocol.js';
import { encodeResponse, parseRequest, type Parsed, type Wire } from './wire.js';

const stateDir = process.argv[2];
if (stateDir === undefined) {
  process.stderr.write('usage: supervisor.js <state-dir>\n');
  process.exit(2);
}
const paths = statePaths(stateDir);
const ownerPid = Number(process.env['FAKE_LAUNCHD_OWNER_PID'] ?? '');
const idleMs = Number(process.env['FAKE_LAUNCHD_IDLE_MS'] ?? '') || 30_000;

if (!acquirePidfile(paths.pidfile, process.pid)) process.exit(0); // another supervisor owns this dir

// launchd's own umask, which jobs without a Umask key inherit (macOS default 022), whatever the starting shell had.
process.umask(0o022);

const launchd = new Launchd(paths, machineConfigFromEnv(process.env));
let lastActivity = Date.now();
/** Accepted connections not yet closed: the idle exit must not cut one whose request is still arriving. */
let openConnections = 0;
let stopping: Promise<void> | undefined;

const server = createServer((conn: Socket) => {
  openConnections += 1;
  lastActivity = Date.now();
  conn.on('close', () => {
    openConnections -= 1;
    lastActivity = Date.now();
  });
  let buf = Buffer.alloc(0);
  let served = false;
  conn.on('error', () => undefined);
  conn.on('data', (d: Buffer) => {
    if (served) return;
    buf = Buffer.concat([buf, d]);
    let parsed: Parsed;
    try {
      parsed = parseRequest(buf);
    } catch (e) {
      parsed = { wire: 'json', error: (e as Error).message };
    }
    if (parsed === undefined) return;
    served = true;
    conn.pause();
    void serve(conn, parsed);
  });
});

async function serve(conn: Socket, parsed: NonNullable<Parsed>): Promise<void> {
  let res: Response;
  let shutdownAfter = false;
  const wire: Wire = parsed.wire;
  try {
    if ('error' in parsed) throw new Error(`bad request: ${parsed.error}`);
    const req = parsed.req;
    if (req.argv[0] === '__fake_shutdown') {
      shutdownAfter = true;
      await shutdown('__fake_shutdown');
      res = { stdout: '', stderr: '', code: 0 };
    } else {
      res = await launchd.handle(req);
    }
    launchd.log(`${JSON.stringify(req.argv)} -> ${res.code}${wire === 'fast' ? ' (fast client)' : ''}`);
  } catch (e) {
    launchd.log(`request failed: ${(e as Error).stack ?? String(e)}`);
    res = { stdout: '', stderr: `launchctl (fake): internal error: ${(e as Error).message}\n`, code: 70 };
  }
  conn.end(encodeResponse(wire, res), () => {
    if (shutdownAfter) process.exit(0);
  });
}

/** Stops every job: SIGTERM to each process group, SIGKILL to what is left after a grace period. */
function shutdown(why: string): Promise<void> {
  stopping ??= (async () => {
    launchd.log(`shutting down: ${why}`);
    server.close();
    for (const j of launchd.allJobs()) j.quiesce();
    const groups = launchd.ourGroups();
    const anyLeft = (): boolean => launchd.allJobs().some((j) => j.running) || livePidsInGroups(groups).length > 0;
    for (const g of groups) killGroup(g, 'SIGTERM');
    for (let waited = 0; anyLeft() && waited < 2000; waited += 25) await sleep(25);
    for (const g of groups) killGroup(g, 'SIGKILL');
    for (const j of launchd.allJobs()) if (j.pid !== undefined) killGroup(j.pid, 'SIGKILL');
    for (let waited = 0; anyLeft() && waited < 3000; waited += 25) await sleep(25);
    // Socket first: once the pidfile is free a successor may start and bind the same path.
    safeUnlink(paths.socket);
    releasePidfile(paths.pidfile, process.pid);
  })();
  return stopping;
}

function exitAfter(why: string): void {
  void shutdown(why).then(() => process.exit(0));
}

function ownsPidfile(): boolean {
  try {
    return Number(readFileSync(paths.pidfile, 'utf8').trim()) === process.pid;
  } catch {
    return false;
  }
}

// Health check: state dir deleted, pidfile taken away, owning test process gone, or idle with nothing loaded.
setInterval(() => {
  if (stopping !== undefined) return;
  if (!existsSync(paths.dir) || !ownsPidfile()) return exitAfter('state dir or pidfile removed');
  if (Number.isSafeInteger(ownerPid) && ownerPid > 0 && !isAlive(ownerPid)) return exitAfter(`owner ${ownerPid} exited`);
  if (openConnections === 0 && launchd.idle() && livePidsInGroups(launchd.ourGroups()).length === 0 && Date.now() - lastActivity > idleMs) {
    exitAfter(`idle for ${idleMs} ms`);
  }
}, 250).unref();

// PathState / OtherJobEnabled conditions are polled.
setInterval(() => {
  if (stopping === undefined) launchd.tick();
}, 250).unref();

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => exitAfter(sig));
process.on('uncaughtException', (e) => {
  launchd.log(`uncaught: ${e.stack ?? String(e)}`);
  exitAfter('uncaught exception');
});

safeUnlink(paths.socket); // a stale socket of a dead supervisor; we own the pidfile, so it cannot be live
server.listen(paths.socket, () => {
  // launchd answers every user: as root, let unprivileged callers (the test's operator uid) connect too.
  if (SUPERVISOR_IS_ROOT) chmodSync(paths.socket, 0o666);
  launchd.log(`listening on ${paths.socket}`);
});
server.on('error', (e) => {
  launchd.log(`server error: ${e.message}`);
  exitAfter('server error');
});
