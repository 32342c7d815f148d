// Kernel limits that matter to Lotus on macOS, read with `sysctl -n` (this module owns the binary).
// kern.maxfilesperproc caps what a process may raise its open-files limit to (specs/lotus-operations.md §4, lotus#3937).
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
  return maxFilesPerProcSync(opts.sysctl ?? '/usr/sbin/sysctl', opts.timeoutMs ?? 10_000);
}

/**
 * `kern.bootsessionuuid` on macOS: a random id per boot (what the state lock records to prove a holder died in an
 * earlier boot); undefined elsewhere or when sysctl fails. Not kern.boottime: the kernel shifts it when the wall clock
 * is stepped, so it is not an identity (not verified on a Mac; the UUID is random per boot by construction).
 */
export async function bootSessionUuid(opts: { platform?: string; sysctl?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  if ((opts.platform ?? process.platform) !== 'darwin') return undefined;
  const r = runSync(opts.sysctl ?? '/usr/sbin/sysctl', ['-n', 'kern.bootsessionuuid'], opts.timeoutMs ?? 5000);
  return r.exitCode === 0 ? parseBootSessionUuid(r.stdout) : undefined;
}

/** `sysctl -n kern.bootsessionuuid` output: one UUID, upper-case on macOS. */
export function parseBootSessionUuid(text: string): string | undefined {
  const t = text.trim();
  return /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(t) ? t.toUpperCase() : undefined;
}

