import type { ActualState } from '../model/actual.js';
import { canonicalJson, sha256 } from './digest.js';

/**
 * A digest of what the plan depends on: each job's file (exists, digest, mode), its launchd state (loaded,
 * enabled, running, and what print says was loaded: not the pid, which KeepAlive may change harmlessly), the
 * manifest (records and owners), the folders, whether the owning specs exist, and the journal's unfinished steps.
 * Apply recomputes it and refuses a saved plan when it moved ("plan is stale").
 */
export function fingerprint(actual: ActualState): string {
  const jobs = Object.fromEntries(Object.entries(actual.jobs).map(([key, j]) => [key, {
    path: j.plistPath,
    file: j.file.exists ? { digest: j.file.digest, mode: j.file.mode } : null,
    job: j.job.known
      ? { loaded: j.job.loaded, disabled: j.job.disabled ?? null, overrides: j.job.overridesKnown !== false, running: j.job.running, definition: j.job.definition ? sha256(canonicalJson(j.job.definition)) : null }
      : { unknown: true },
  }]));
  const manifest = Object.fromEntries(Object.entries(actual.manifest.jobs).map(([l, r]) => [l, {
    digest: r.digest, state: r.state, path: r.plistPath, domain: r.domain, owner: r.owner ?? null, watch: r.watch ?? null, name: r.name,
  }]));
  // Interrupted steps count (apply finishes them or clears their entries); leftovers do not (apply removes them before it compares).
  const interrupted = (actual.interrupted ?? []).map((e) => ({ label: e.label, target: e.target, digest: e.digest ?? null, owner: e.owner, started_at: e.startedAt }));
  return sha256(canonicalJson({ jobs, manifest, directories: actual.directories, specs: actual.specs ?? {}, ...(interrupted.length > 0 ? { interrupted } : {}) }));
}
