import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pythonExecutable } from '../fakes/lotus/harness.js';

/** A python process holding an fcntl write lock on `path`, as lotus (and the fake lotus) do. Kill it to release. */
export function holdFcntlLock(path: string): Promise<ChildProcess> {
  const child = spawn(pythonExecutable(), ['-c', 'import fcntl,os,sys\nfd=os.open(sys.argv[1],os.O_RDWR|os.O_CREAT,0o644)\nfcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB)\nprint("ok",flush=True)\nsys.stdin.read()', path], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => (l === 'ok' ? resolve(child) : reject(new Error(`lock helper: ${l}`))));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`lock helper exited ${code}`)));
  });
}
