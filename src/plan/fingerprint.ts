import type { ActualState } from '../model/actual.js';
import { canonicalJson, sha256 } from './digest.js';

/**
 * A digest of what the plan depends on: each job's file (exists, digest, mode), its launchd state (loaded,
 * enabled, running: not the pid, which KeepAlive may change harmlessly), the manifest and the folders.
 * Apply recomputes it and refuses a saved plan when it moved ("plan is stale").
 */
export function fingerprint(actual: ActualState): string {
  const jobs = Object.fromEntries(Object.entries(actual.jobs).map(([label, j]) => [label, {
    path: j.plistPath,
    file: j.file.exists ? { digest: j.file.digest, mode: j.file.mode } : null,
    job: j.job.known ? { loaded: j.job.loaded, disabled: j.job.disabled ?? null, running: j.job.running } : { unknown: true },
  }]));
  const manifest = Object.fromEntries(Object.entries(actual.manifest.jobs).map(([l, r]) => [l, { digest: r.digest, state: r.state, path: r.plistPath }]));
  // Interrupted steps count (apply finishes them); leftovers do not (apply removes them before it compares).
  const interrupted = (actual.interrupted ?? []).map((e) => ({ label: e.label, target: e.target, digest: e.digest ?? null }));
  return sha256(canonicalJson({ jobs, manifest, directories: actual.directories, ...(interrupted.length > 0 ? { interrupted } : {}) }));
}
