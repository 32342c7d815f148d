// Stopping a state dir's supervisor and proving that nothing it started survived.
import { readFileSync } from 'node:fs';
import { callIfRunning } from './client.js';
import { liveSupervisorPid } from './lock.js';
import { statePaths } from './paths.js';
import { isAlive, killGroup, livePidsInGroups, sleep } from './proc.js';
import { contextFromEnv } from './protocol.js';

/** Every job pid the supervisor of `stateDir` ever spawned (each was also a process-group id). */
export function spawnedPids(stateDir: string): number[] {
  try {
    return readFileSync(statePaths(stateDir).spawned, 'utf8')
      .split('\n')
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0);
  } catch {
    return [];
  }
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
  const pids = spawnedPids(stateDir);
  const survivors = [...new Set([...(supervisor !== undefined ? [supervisor] : []), ...pids, ...livePidsInGroups(new Set(pids))])].filter(isAlive);
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
