// The monitor works from the last APPLIED state (state.json), not from the working copy of lotus.yaml: an edit
// that was never applied (a new label, new health thresholds) must not make it stop watching, or start
// restarting, what actually runs. The spec file still says which state dir and which owner to read.
import type { Manifest } from '../model/actual.js';
import type { DesiredJob, SpecOwner } from '../model/desired.js';
import { owns } from '../plan/ownership.js';
import { monitorSchema, type MonitorSpec } from '../spec/schema.js';

/** What the monitor probes and restarts for one service. */
export type WatchedJob = Pick<DesiredJob, 'name' | 'label' | 'domain' | 'health' | 'repo'>;

export interface AppliedState {
  /** Services applied as running, in label order. */
  readonly jobs: readonly WatchedJob[];
  /** The monitor section as applied; undefined when no applied monitor settings are recorded. */
  readonly monitor?: MonitorSpec;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The applied services and monitor settings of the spec `owner`. Records from a lotusctl before owners (or before
 * `watch`) fall back to the working copy's job of the same label, which is all such a record can be matched with.
 */
export function appliedState(manifest: Manifest, owner: SpecOwner, workingCopy: readonly DesiredJob[]): AppliedState {
  const byLabel = new Map(workingCopy.map((j) => [j.label, j]));
  const records = Object.values(manifest.jobs).filter((r) => owns(owner, r) || (!r.owner && byLabel.has(r.label)));
  const jobs: WatchedJob[] = records
    .filter((r) => r.kind === 'service' && r.state === 'running')
    .sort((a, b) => a.label.localeCompare(b.label))
    .map((r) => {
      const w = r.watch;
      if (!w) {
        const j = byLabel.get(r.label);
        return { name: r.name, label: r.label, domain: r.domain, ...(j?.health ? { health: j.health } : {}), ...(j?.repo !== undefined ? { repo: j.repo } : {}) };
      }
      const health = isObject(w.health) ? (w.health as unknown as DesiredJob['health']) : undefined;
      return { name: r.name, label: r.label, domain: r.domain, ...(health ? { health } : {}), ...(typeof w.repo === 'string' ? { repo: w.repo } : {}) };
    });
  const monitorRecord = records.find((r) => r.kind === 'monitor' && isObject(r.watch?.settings));
  const parsed = monitorRecord ? monitorSchema.safeParse(monitorRecord.watch?.settings) : undefined;
  return { jobs, ...(parsed?.success ? { monitor: parsed.data } : {}) };
}
