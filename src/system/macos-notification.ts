// The only module that runs osascript: a macOS notification in the GUI session this process belongs to.
// The text goes in as `on run argv` arguments, never spliced into AppleScript source, so no quoting can break out.
import { execa } from 'execa';
import { LotusctlError } from '../model/errors.js';

export const OSASCRIPT = '/usr/bin/osascript';

export interface MacNotification {
  readonly title: string;
  readonly subtitle: string;
  readonly message: string;
  /** A name from /System/Library/Sounds. */
  readonly sound?: string;
}

/**
 * Shows the notification. Off macOS it throws `notify.unsupported` (a failure that retrying cannot fix), unless
 * LOTUSCTL_OSASCRIPT names a stand-in (tests). Throws `notify.osascript-failed` when osascript fails or takes too long.
 */
export async function showMacNotification(n: MacNotification, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; platform?: string } = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const binary = env.LOTUSCTL_OSASCRIPT || OSASCRIPT;
  if (!env.LOTUSCTL_OSASCRIPT && (opts.platform ?? process.platform) !== 'darwin') {
    throw new LotusctlError('notify.unsupported', `macOS notifications are unsupported here (${opts.platform ?? process.platform}): they need osascript on a Mac`, {
      hint: 'use a webhook or command target on this machine',
    });
  }
  const script = [
    'on run argv',
    `display notification (item 3 of argv) with title (item 1 of argv) subtitle (item 2 of argv)${n.sound ? ' sound name (item 4 of argv)' : ''}`,
    'end run',
  ];
  const args = [...script.flatMap((l) => ['-e', l]), n.title, n.subtitle, n.message, ...(n.sound ? [n.sound] : [])];
  const r = await execa(binary, args, { timeout: opts.timeoutMs ?? 10_000, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    const why = r.timedOut ? `no answer within ${(opts.timeoutMs ?? 10_000) / 1000}s` : `exit ${r.exitCode ?? r.signal ?? '?'}: ${String(r.stderr).split('\n')[0]?.slice(0, 200) ?? ''}`;
    throw new LotusctlError('notify.osascript-failed', `osascript failed (${why})`, { hint: 'a notification needs the GUI session: run the monitor in the gui domain' });
  }
}
