import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath } from './cli.js';

/** The built CLI as a long-running child (logs -f, status --watch): its output so far, and a way to stop it like Ctrl-C. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `uid`/`gid`: run it as the sandbox's operator (`...sb.runAs()`), as Sandbox.cli does. */
  constructor(args: readonly string[], opts: { env: Record<string, string>; cwd: string; uid?: number; gid?: number }) {
    const as = { ...(opts.uid !== undefined ? { uid: opts.uid } : {}), ...(opts.gid !== undefined ? { gid: opts.gid } : {}) };
    this.child = spawn(process.execPath, [cliPath, ...args], { env: { NO_COLOR: '1', ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...as });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** SIGINT, as Ctrl-C sends; resolves with the exit status. */
  async interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGINT');
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
