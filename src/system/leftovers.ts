// What crashed lotusctl runs left behind: temporary files of atomic writes (atomic-file.ts names them
// `.<name>.<pid>.<12 hex>.tmp`) whose writer is proven gone. Only lotusctl's own names, only in folders lotusctl
// manages; a file whose writer may still run is never touched.
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Leftover } from '../model/actual.js';
import { BACKUPS_DIR, JOURNAL_DIR } from '../model/state-files.js';
import { errnoCode, parseTempName } from './atomic-file.js';
import { describeLockStatus, lockPath, lockStatus } from './lock.js';
import { pidExists, processStart } from './process-identity.js';
import { isNetworkVolume } from './volumes.js';

// Start times are known to the second (macOS lstart, Linux btime); a process that started within this long after
// the file was last written might be its writer.
const START_SLACK_MS = 2000;

/**
 * The folders lotusctl writes into with atomic writes: the state dir (state, lock, journal, monitor files), its
 * journal and every backups/<label> folder, the folders of the managed plists, and `extra` (the report folder).
 */
export function managedFolders(stateDir: string, plistPaths: readonly string[], extra: readonly string[] = []): string[] {
  const out = new Set<string>([stateDir, join(stateDir, JOURNAL_DIR), join(stateDir, BACKUPS_DIR)]);
  try {
    for (const label of readdirSync(join(stateDir, BACKUPS_DIR))) out.add(join(stateDir, BACKUPS_DIR, label));
  } catch {
    // no backups yet
  }
  for (const p of plistPaths) out.add(dirname(p));
  for (const d of extra) out.add(d);
  return [...out].sort();
}

/**
 * Temporary files in `folders` (not recursive) whose writer is proven gone: its pid no longer exists, or belongs to
 * a process that started after the file was last written. Read-only. Symlinks and folders are never candidates, and
 * neither is anything on a network volume (another machine's lotusctl may be writing there).
 */
export async function findTempLeftovers(folders: readonly string[]): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const dir of new Set(folders)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const candidates = names.map((n) => ({ n, t: parseTempName(n) })).filter((c) => c.t !== undefined);
    if (candidates.length === 0 || (await isNetworkVolume(dir)) === true) continue;
    for (const { n, t } of candidates) {
      const path = join(dir, n);
      const pid = t!.pid;
      let mtimeMs: number;
      try {
        const st = lstatSync(path);
        if (!st.isFile()) continue;
        mtimeMs = st.mtimeMs;
      } catch {
        continue;
      }
      const why = await writerGone(pid, mtimeMs);
      if (why !== undefined) {
        out.push({ kind: 'temp-file', path, pid, message: `temporary file of lotusctl pid ${pid}, ${why}; apply removes it` });
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

async function writerGone(pid: number, mtimeMs: number): Promise<string | undefined> {
  if (!pidExists(pid)) return 'which is no longer running';
  const start = await processStart(pid);
  if (start === undefined) return pidExists(pid) ? undefined : 'which is no longer running';
  if (start.atMs !== undefined && start.atMs > mtimeMs + START_SLACK_MS) return `which is no longer running (pid ${pid} now belongs to a later process)`;
  return undefined;
}

/** Removes a temporary-file leftover; false when it was already gone. Throws on any other failure. */
export function removeTempLeftover(l: Leftover): boolean {
  try {
    rmSync(l.path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Everything earlier crashed runs left for this state dir: the state lock when its holder is proven gone (stale-lock)
 * or cannot be proven alive or gone (unproven-lock), then temporary files of gone writers in the managed folders.
 * Read-only. A lock file that cannot be read is reported as unproven rather than failing the plan.
 */
export async function findLeftovers(stateDir: string, plistPaths: readonly string[], extraFolders: readonly string[] = []): Promise<Leftover[]> {
  const out: Leftover[] = [];
  try {
    const lock = await lockStatus(stateDir);
    if (lock && lock.liveness.verdict !== 'alive') {
      const stale = lock.liveness.verdict === 'dead';
      out.push({
        kind: stale ? 'stale-lock' : 'unproven-lock', path: lockPath(stateDir), pid: lock.holder.pid,
        message: stale ? `${describeLockStatus(lock)}; apply takes it over`
          : `${describeLockStatus(lock)}; if no lotusctl is running, run: lotusctl force-unlock ${lock.holder.id}`,
      });
    }
  } catch (e) {
    out.push({ kind: 'unproven-lock', path: lockPath(stateDir), pid: 0, message: `the state lock cannot be read: ${(e as Error).message}` });
  }
  out.push(...await findTempLeftovers(managedFolders(stateDir, plistPaths, extraFolders)));
  return out;
}
