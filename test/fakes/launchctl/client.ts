// Talking to the supervisor of a state dir, starting it on demand.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { liveSupervisorPid } from './lock.js';
import { compiledModule } from './locate.js';
import { MACHINE_ENV_KEYS } from './machine.js';
import { statePaths, type StatePaths } from './paths.js';
import { sleep } from './proc.js';
import type { Request, Response } from './protocol.js';

/** Thrown when nobody listens on the socket (so a supervisor must be started). */
export class NotListening extends Error {}

/** Sends one request and resolves with the response. Rejects with NotListening when no supervisor accepts. */
export function sendRequest(socket: string, req: Request, timeoutMs = 120_000): Promise<Response> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buf = '';
    let connected = false;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`fake launchctl: supervisor did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      connected = true;
      conn.write(`${JSON.stringify(req)}\n`);
    });
    conn.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      conn.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as Response);
      } catch (e) {
        reject(e as Error);
      }
    });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A reset before any answer: the supervisor never read the whole request (a killed one whose socket outlived
      // its main thread for a moment), so the call was not made and may be made again (fast-client.c does the same).
      const unread = buf === '' && ['ECONNRESET', 'EPIPE'].includes(e.code ?? '');
      reject((!connected && ['ENOENT', 'ECONNREFUSED'].includes(e.code ?? '')) || unread ? new NotListening(e.message) : e);
    });
    conn.on('close', () => {
      clearTimeout(timer);
      reject(new Error('fake launchctl: supervisor closed the connection without answering'));
    });
  });
}

/** Starts a detached supervisor for the state dir; it exits at once if another one already owns the dir. */
function startSupervisor(paths: StatePaths, env: NodeJS.ProcessEnv): void {
  const script = compiledModule('supervisor');
  if (!existsSync(script)) throw new Error(`fake launchctl: ${script} is missing; run \`npx tsc -p tsconfig.build.json\``);
  const log = openSync(paths.log, 'a');
  try {
    const child = spawn(process.execPath, [script, paths.dir], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: '/',
      // The supervisor does not inherit the caller's env: jobs get launchd's env, not the test's (specs/launchd-behaviour.md §1).
      env: {
        PATH: env['PATH'] ?? '/usr/bin:/bin:/usr/sbin:/sbin',
        ...pick(env, ['FAKE_LAUNCHD_OWNER_PID', 'FAKE_LAUNCHD_IDLE_MS', 'FAKE_LAUNCHD_JOB_ENV', ...MACHINE_ENV_KEYS]),
      },
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Sends a request to the state dir's supervisor, starting one if none answers. Concurrent callers may each start
 * one; the exclusive pidfile lets exactly one survive and the others connect to it.
 */
export async function callSupervisor(stateDir: string, req: Request, env: NodeJS.ProcessEnv, startTimeoutMs = 20_000): Promise<Response> {
  const paths = statePaths(stateDir);
  mkdirSync(paths.dir, { recursive: true });
  const deadline = Date.now() + startTimeoutMs;
  let lastStart = 0;
  for (;;) {
    try {
      return await sendRequest(paths.socket, req);
    } catch (e) {
      if (!(e instanceof NotListening)) throw e;
    }
    if (Date.now() > deadline) throw new Error(`fake launchctl: no supervisor answered on ${paths.socket} within ${startTimeoutMs} ms (see ${paths.log})`);
    // A live owner is still starting (or shutting down): wait for it rather than racing it.
    if (liveSupervisorPid(paths.pidfile) === undefined && Date.now() - lastStart > 500) {
      lastStart = Date.now();
      startSupervisor(paths, env);
    }
    await sleep(20);
  }
}

/** Sends a request only if a supervisor is running; undefined otherwise. */
export async function callIfRunning(stateDir: string, req: Request): Promise<Response | undefined> {
  try {
    return await sendRequest(statePaths(stateDir).socket, req);
  } catch (e) {
    if (e instanceof NotListening) return undefined;
    throw e;
  }
}
