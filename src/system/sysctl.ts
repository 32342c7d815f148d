// Kernel limits that matter to Lotus on macOS, read with `sysctl -n` (this module owns the binary).
// kern.maxfilesperproc caps what a process may raise its open-files limit to (specs/lotus-operations.md §4, lotus#3937).
import { execFile } from 'node:child_process';
import { runSync } from './run-sync.js';

export type SysctlFact = { readonly kind: 'known'; readonly value: number } | { readonly kind: 'unknown'; readonly why: string };

/**
 * The same, synchronously, for the host facts a spec is resolved against: `sysctl` is the binary to run (macosTool:
 * /usr/sbin/sysctl on macOS, a sandbox's double), undefined where there is none.
 */
export function maxFilesPerProcSync(sysctl: string | undefined, timeoutMs = 10_000): SysctlFact {
  if (sysctl === undefined) return { kind: 'unknown', why: `kern.maxfilesperproc is a macOS sysctl; not available on ${process.platform}` };
  const r = runSync(sysctl, ['-n', 'kern.maxfilesperproc'], timeoutMs);
  const n = Number(r.stdout.trim());
  if (r.exitCode === 0 && Number.isSafeInteger(n) && n > 0) return { kind: 'known', value: n };
  if (r.errorCode === 'ENOENT') return { kind: 'unknown', why: 'sysctl is not available here' };
  return { kind: 'unknown', why: `sysctl -n kern.maxfilesperproc failed: ${String(r.stderr || r.errorCode || `exit ${r.exitCode}`).split('\n')[0]}` };
}

/** `kern.maxfilesperproc` on macOS; unknown elsewhere (Linux has no such sysctl) or when sysctl fails. */
export async function maxFilesPerProc(opts: { platform?: string; sysctl?: string; timeoutMs?: number } = {}): Promise<SysctlFact> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'darwin') return { kind: 'unknown', why: `kern.maxfilesperproc is a macOS sysctl; not available on ${platform}` };
  // node:child_process, not execa: spec resolution loads this module, and the light commands must not load execa.
  const r = await new Promise<{ exitCode: number | undefined; stdout: string; stderr: string; errorCode?: string }>((done) => {
    execFile(opts.sysctl ?? '/usr/sbin/sysctl', ['-n', 'kern.maxfilesperproc'], { timeout: opts.timeoutMs ?? 10_000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      done({ exitCode: err ? (typeof code === 'number' ? code : undefined) : 0, stdout: String(stdout), stderr: String(stderr), ...(typeof code === 'string' ? { errorCode: code } : {}) });
    });
  });
  const n = Number(r.stdout.trim());
  if (r.exitCode === 0 && Number.isSafeInteger(n) && n > 0) return { kind: 'known', value: n };
  if (r.errorCode === 'ENOENT') return { kind: 'unknown', why: 'sysctl is not available here' };
  return { kind: 'unknown', why: `sysctl -n kern.maxfilesperproc failed: ${String(r.stderr || r.errorCode || `exit ${r.exitCode}`).split('\n')[0]}` };
}
