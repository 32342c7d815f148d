// The repairs `lotusctl doctor --fix` may make: permissions, ownership, missing folders, and an unheld empty repo.lock.
// Each is reversible and touches no Lotus data. The lock is checked again right before it is removed.
import { chmodSync, chownSync, lstatSync, unlinkSync } from 'node:fs';
import type { FixAction } from '../doctor/checks.js';
import { errnoCode } from './atomic-file.js';
import { fcntlLockHolder } from './file-locks.js';
import { makeDirs } from './ownership.js';

export type FixOutcome = { readonly ok: true; readonly did: string } | { readonly ok: false; readonly error: string };

const oct = (m: number): string => m.toString(8).padStart(3, '0');

function failed(what: string, e: unknown): FixOutcome {
  const code = errnoCode(e) ?? String(e);
  return { ok: false, error: `${what}: ${code}${code === 'EPERM' || code === 'EACCES' ? ' (needs the owner or root: rerun with sudo)' : ''}` };
}

/** Carries out one repair; never throws. */
export async function applyFix(a: FixAction): Promise<FixOutcome> {
  switch (a.kind) {
    case 'chmod':
      try {
        chmodSync(a.path, a.mode);
        return { ok: true, did: `chmod ${oct(a.mode)} ${a.path}` };
      } catch (e) {
        return failed(`chmod ${oct(a.mode)} ${a.path}`, e);
      }
    case 'chown':
      try {
        chownSync(a.path, a.uid, -1);
        return { ok: true, did: `chown ${a.uid} ${a.path}` };
      } catch (e) {
        return failed(`chown ${a.uid} ${a.path}`, e);
      }
    case 'mkdir':
      try {
        makeDirs(a.path, 0o755);
        if (a.uid !== undefined) chownSync(a.path, a.uid, -1);
        return { ok: true, did: `mkdir -p ${a.path}${a.uid !== undefined ? ` (owner uid ${a.uid})` : ''}` };
      } catch (e) {
        return failed(`mkdir -p ${a.path}`, e);
      }
    case 'remove-stale-lock': {
      // Again, right before unlinking: the same file, still empty, still unheld. lotus takes the lock again on start.
      let st;
      try {
        st = lstatSync(a.path);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return { ok: true, did: `${a.path} was already gone` };
        return failed(`rm ${a.path}`, e);
      }
      if (!st.isFile() || st.ino !== a.ino || st.size !== 0) return { ok: false, error: `${a.path} changed since it was checked; left alone` };
      const holder = await fcntlLockHolder(a.path);
      if (holder.kind !== 'free' || holder.scope !== undefined) return { ok: false, error: `${a.path} is ${holder.kind === 'held' ? `held by pid ${holder.pid}` : 'not provably unheld'} now; left alone` };
      try {
        unlinkSync(a.path);
        return { ok: true, did: `removed the unheld, empty ${a.path}` };
      } catch (e) {
        return failed(`rm ${a.path}`, e);
      }
    }
    default: {
      const never: never = a;
      return { ok: false, error: `unknown repair ${JSON.stringify(never)}` };
    }
  }
}
