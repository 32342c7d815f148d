// Files the double keeps in its state dir (FAKE_LAUNCHD_DIR).
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the supervisor of one state dir keeps its socket, pidfile, logs and persistent data. */
export interface StatePaths {
  readonly dir: string;
  /** Unix socket the CLI talks to. */
  readonly socket: string;
  /** Exclusive pidfile: whoever creates it (O_EXCL) is the one supervisor of this dir. */
  readonly pidfile: string;
  /** Persistent enable/disable overrides per domain, like launchd's disabled db. */
  readonly overrides: string;
  /** Supervisor diagnostics. */
  readonly log: string;
  /** Append-only `<pid> <pgid>` lines, one per spawned job process: lets tests prove nothing survived. */
  readonly spawned: string;
}

// sun_path holds 108 bytes on Linux (104 on macOS); longer state dirs get a hashed socket name in the temp dir.
const MAX_SOCKET_PATH = 100;

export function statePaths(stateDir: string): StatePaths {
  const dir = resolve(stateDir);
  const inDir = join(dir, 'launchd.sock');
  const socket =
    Buffer.byteLength(inDir) <= MAX_SOCKET_PATH ? inDir : join(tmpdir(), `fake-launchd-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.sock`);
  return {
    dir,
    socket,
    pidfile: join(dir, 'supervisor.pid'),
    overrides: join(dir, 'overrides.json'),
    log: join(dir, 'supervisor.log'),
    spawned: join(dir, 'spawned-pids'),
  };
}
