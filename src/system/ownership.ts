// Who owns what lotusctl creates in the operator's home. Run as root (under sudo, or as the system monitor acting for
// the operator), every folder and file lotusctl makes inside that home is given to the home's owner, as Homebrew
// does under sudo (issue 9): otherwise plists, the state dir, the lock, log folders and backups end up root-owned and
// the next run without sudo fails with EACCES. Files outside the home (LaunchDaemons) stay root's.
import { chownSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

interface Policy {
  readonly home: string;
  readonly uid: number;
  readonly gid: number;
}

let policy: Policy | undefined;

/**
 * Acts for the owner of `home` when this process is root and someone else owns it; otherwise there is nothing to do.
 * Idempotent; the last call wins.
 */
export function actForHomeOwner(home: string): void {
  policy = undefined;
  if ((process.geteuid?.() ?? -1) !== 0) return;
  try {
    const st = statSync(home);
    if (st.uid !== 0) policy = { home: resolve(home), uid: st.uid, gid: st.gid };
  } catch {
    // no such home: nothing to give away
  }
}

/** The owner a new file or folder at `path` must get, or undefined to keep the process's own. */
export function ownerFor(path: string): { uid: number; gid: number } | undefined {
  if (policy === undefined) return undefined;
  const p = resolve(path);
  return p === policy.home || p.startsWith(policy.home + sep) ? { uid: policy.uid, gid: policy.gid } : undefined;
}

/** Gives `path` to the home's owner when it lies in the home (a file this process just created). */
export function giveToOwner(path: string): void {
  const o = ownerFor(path);
  if (o !== undefined) chownSync(path, o.uid, o.gid);
}

/**
 * mkdir -p: creates `dir` and any missing parents with `mode`, gives the ones it created inside the home to its
 * owner, and returns the first folder it created (undefined when all existed), as mkdirSync does.
 */
export function makeDirs(dir: string, mode: number): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      statSync(d);
      break;
    } catch {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
  }
  const first = mkdirSync(dir, { recursive: true, mode });
  for (const d of missing) giveToOwner(d);
  return first;
}
