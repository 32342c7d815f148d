// `repo.lock`: a real POSIX (fcntl) lock like lotus's go-fs-lock. Node has no fcntl, so a tiny python3 helper
// takes the lock and holds it; it dies with us (stdin EOF + PR_SET_PDEATHSIG), and the kernel drops the lock then.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const MARKER = 'fake-lotus-lock-helper';

// argv: MARKER <path> <owner pid>. Prints one line: ok | locked | nonzero | error <text>.
const HELPER = String.raw`
import errno, fcntl, os, struct, sys, time
marker, path, owner = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG = SIGKILL (Linux only)
except Exception:
    pass
if os.getppid() != owner:
    sys.exit(5)

def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()

def orphaned_helper(fd):
    # Holder is a helper whose owner already died (SIGKILL): it is about to exit, so wait rather than fail.
    if not sys.platform.startswith("linux"):
        return False
    try:
        res = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
        pid = struct.unpack("hhqqi", res)[4]
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        with open("/proc/%d/stat" % pid) as f:
            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        i = args.index(marker.encode())
        return ppid != int(args[i + 2])
    except Exception:
        return False

try:
    if os.stat(path).st_size > 0:
        say("nonzero")
        sys.exit(4)
except FileNotFoundError:
    pass
try:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
except OSError as e:
    say("error " + e.strerror)
    sys.exit(6)
deadline = time.time() + 5
while True:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        break
    except OSError as e:
        if e.errno not in (errno.EAGAIN, errno.EACCES):
            say("error " + e.strerror)
            sys.exit(6)
        if time.time() < deadline and orphaned_helper(fd):
            time.sleep(0.01)
            continue
        say("locked")
        sys.exit(3)
say("ok")
try:
    while sys.stdin.buffer.read(4096):
        pass
except Exception:
    pass
`;

/** A held repo lock; `release()` drops it and resolves once the helper is gone. */
export interface RepoLock {
  release(): Promise<void>;
}

/** Outcome of a lock attempt. */
export type LockAttempt =
  | { kind: 'ok'; lock: RepoLock }
  | { kind: 'locked' }
  | { kind: 'nonzero' }
  | { kind: 'error'; message: string };

/** Tries a non-blocking exclusive fcntl lock on `lockPath` (created zero-byte if missing). */
export async function tryLockRepo(lockPath: string, env: NodeJS.ProcessEnv = process.env): Promise<LockAttempt> {
  const python = env.FAKE_LOTUS_PYTHON ?? 'python3';
  const child = spawn(python, ['-I', '-S', '-c', HELPER, MARKER, lockPath, String(process.pid)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }
  });
  const line = await firstLine(child);
  if (line === 'ok') {
    // Neither the helper nor its pipes may keep the event loop alive; the lock lives as long as this process.
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return {
      kind: 'ok',
      lock: {
        release: async () => {
          // Re-ref so the loop stays alive until the helper is really gone (and the kernel dropped the lock).
          child.ref();
          child.stdin?.end();
          child.kill('SIGKILL');
          await exited;
        },
      },
    };
  }
  await exited;
  if (line === 'locked') return { kind: 'locked' };
  if (line === 'nonzero') return { kind: 'nonzero' };
  return { kind: 'error', message: line?.replace(/^error /, '') ?? `lock helper (${python}) failed` };
}

function firstLine(child: ChildProcess): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (!child.stdout) return resolve(undefined);
    const rl = createInterface({ input: child.stdout });
    let done = false;
    const finish = (v: string | undefined): void => {
      if (done) return;
      done = true;
      rl.close();
      resolve(v);
    };
    rl.once('line', (l) => finish(l.trim()));
    // 'close' (not the child's 'exit') so a line written just before exiting is still read.
    rl.once('close', () => finish(undefined));
    child.once('error', () => finish(undefined));
  });
}
