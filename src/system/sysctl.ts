// Kernel limits that matter to Lotus on macOS, read with `sysctl -n` (this module owns the binary).
// kern.maxfilesperproc caps what a process may raise its open-files limit to (specs/lotus-operations.md §4, lotus#3937).
import { execa, execaSync } from 'execa';

export type SysctlFact = { readonly kind: 'known'; readonly value: number } | { readonly kind: 'unknown'; readonly why: string };

/**
 * The same, synchronously, for the host facts a spec is resolved against: `sysctl` is the binary to run (macosTool:
 * /usr/sbin/sysctl on macOS, a sandbox's double), undefined where there is none.
 */
export function maxFilesPerProcSync(sysctl: string | undefined, timeoutMs = 10_000): SysctlFact {
  if (sysctl === undefined) return { kind: 'unknown', why: `kern.maxfilesperproc is a macOS sysctl; not available on ${process.platform}` };
  const r = execaSync(sysctl, ['-n', 'kern.maxfilesperproc'], { reject: false, timeout: timeoutMs, stdin: 'ignore', env: { LC_ALL: 'C' } });
  const n = Number(String(r.stdout ?? '').trim());
  if (r.exitCode === 0 && Number.isSafeInteger(n) && n > 0) return { kind: 'known', value: n };
  if ((r as { code?: string }).code === 'ENOENT') return { kind: 'unknown', why: 'sysctl is not available here' };
  return { kind: 'unknown', why: `sysctl -n kern.maxfilesperproc failed: ${String(r.stderr || r.shortMessage).split('\n')[0]}` };
}

/** `kern.maxfilesperproc` on macOS; unknown elsewhere (Linux has no such sysctl) or when sysctl fails. */
export async function maxFilesPerProc(opts: { platform?: string; sysctl?: string; timeoutMs?: number } = {}): Promise<SysctlFact> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'darwin') return { kind: 'unknown', why: `kern.maxfilesperproc is a macOS sysctl; not available on ${platform}` };
  const r = await execa(opts.sysctl ?? '/usr/sbin/sysctl', ['-n', 'kern.maxfilesperproc'], { reject: false, timeout: opts.timeoutMs ?? 10_000, stdin: 'ignore', env: { LC_ALL: 'C' } });
  const n = Number(String(r.stdout ?? '').trim());
  if (r.exitCode === 0 && Number.isSafeInteger(n) && n > 0) return { kind: 'known', value: n };
  if ((r as { code?: string }).code === 'ENOENT') return { kind: 'unknown', why: 'sysctl is not available here' };
  return { kind: 'unknown', why: `sysctl -n kern.maxfilesperproc failed: ${String(r.stderr || r.shortMessage).split('\n')[0]}` };
}
