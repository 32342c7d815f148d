// Stopping a state dir's supervisor and proving that nothing it started survived.
import { readFileSync } from 'node:fs';
import { callIfRunning } from './client.js';
import { liveSupervisorPid } from './lock.js';
import { statePaths } from './paths.js';
import { groupStillOurs, isAlive, killGroup, livePidsInGroups, sleep, startOf } from './proc.js';
import { contextFromEnv } from './protocol.js';

/** Every job pid the supervisor of `stateDir` ever spawned (each was also a process-group id). */
export function spawnedPids(stateDir: string): number[] {
  return [...spawnedGroups(stateDir).keys()];
}

/** Spawned job pids with their start times (`<pid> <start>` lines; the start is missing when it could not be read). */
function spawnedGroups(stateDir: string): Map<number, string | undefined> {
  const out = new Map<number, string | undefined>();
  let text: string;
  try {
    text = readFileSync(statePaths(stateDir).spawned, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [pid, start] = line.trim().split(' ');
    const n = Number(pid);
    if (Number.isSafeInteger(n) && n > 0) out.set(n, start || undefined);
  }
  return out;
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Asks the supervisor to stop its jobs and exit, and waits until its process is gone. No-op when none runs. */
export async function shutdownSupervisor(stateDir: string, timeoutMs = 15_000): Promise<void> {
  const pid = liveSupervisorPid(statePaths(stateDir).pidfile);
  try {
    await callIfRunning(stateDir, { argv: ['__fake_shutdown'], cwd: '/', ctx: contextFromEnv({}, false) });
  } catch {
    // it may close the socket while exiting; liveness below decides
  }
  if (pid !== undefined && !(await waitGone([pid], timeoutMs))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Stops the supervisor of `stateDir` and everything it spawned. Returns the pids that were still alive after the
 * graceful shutdown (they are then SIGKILLed): a test's afterEach should expect `[]`.
 */
export async function stopFakeLaunchd(stateDir: string): Promise<number[]> {
  const paths = statePaths(stateDir);
  const supervisor = liveSupervisorPid(paths.pidfile);
  await shutdownSupervisor(stateDir);
  // Only what is still ours: a recorded pid now held by another process (pids wrap) is left alone.
  const groups = spawnedGroups(stateDir);
  const ours = new Set([...groups].filter(([g, start]) => groupStillOurs(g, start)).map(([g]) => g));
  const leaders = [...ours].filter((g) => groups.get(g) === undefined || startOf(g) === groups.get(g));
  const survivors = [...new Set([...(supervisor !== undefined ? [supervisor] : []), ...leaders, ...livePidsInGroups(ours)])].filter(isAlive);
  for (const p of survivors) {
    killGroup(p, 'SIGKILL');
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await waitGone(survivors, 5000);
  return survivors;
}
