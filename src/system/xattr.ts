// The quarantine flag Gatekeeper puts on downloaded files (com.apple.quarantine): launchd cannot exec a quarantined
// binary without a prompt nobody sees, and the job ends with 78 (specs/launchd-behaviour.md §9). This module owns `xattr`.
// Only macOS has that attribute: Linux user xattrs (`user.*`) are another namespace, so off macOS the answer is unknown.
import { execa } from 'execa';

export const QUARANTINE_ATTR = 'com.apple.quarantine';

export type QuarantineFact =
  | { readonly kind: 'set'; readonly value: string }
  | { readonly kind: 'clear' }
  | { readonly kind: 'unknown'; readonly why: string };

/** Whether `path` carries com.apple.quarantine, read with `xattr -p` (read-only). */
export async function quarantineFlag(path: string, opts: { platform?: string; xattr?: string; timeoutMs?: number } = {}): Promise<QuarantineFact> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'darwin') return { kind: 'unknown', why: `quarantine flags are macOS extended attributes; not available on ${platform}` };
  const r = await execa(opts.xattr ?? '/usr/bin/xattr', ['-p', QUARANTINE_ATTR, path], { reject: false, timeout: opts.timeoutMs ?? 10_000, stdin: 'ignore', env: { LC_ALL: 'C' } });
  if (r.exitCode === 0) return { kind: 'set', value: String(r.stdout).trim() };
  const stderr = String(r.stderr ?? '');
  // xattr: "<path>: No such xattr: com.apple.quarantine" when the flag is absent.
  if (r.exitCode === 1 && /No such xattr/i.test(stderr)) return { kind: 'clear' };
  if ((r as { code?: string }).code === 'ENOENT') return { kind: 'unknown', why: 'xattr is not available here' };
  return { kind: 'unknown', why: `xattr failed: ${stderr.split('\n')[0] || r.shortMessage}` };
}
