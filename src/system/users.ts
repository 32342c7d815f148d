// User names -> uids, for jobs that run as another user (UserName in a LaunchDaemon). This module owns `id`.
import { userInfo } from 'node:os';
import { execa } from 'execa';

/** The uid of user `name`, or undefined when there is no such user or `id` cannot tell. */
export async function uidOf(name: string, opts: { timeoutMs?: number } = {}): Promise<number | undefined> {
  try {
    if (userInfo().username === name) return userInfo().uid;
  } catch {
    // no passwd entry for this process: ask id
  }
  const r = await execa('id', ['-u', '--', name], { reject: false, timeout: opts.timeoutMs ?? 5000, stdin: 'ignore', env: { LC_ALL: 'C' } });
  const n = Number(String(r.stdout ?? '').trim());
  return r.exitCode === 0 && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
