// Which jobs in a shared state dir belong to which spec. Several specs may use the same state_dir (the default is
// per user); each plans changes only to the jobs it owns, so `destroy -f other.yaml` never touches lotus.yaml's jobs.
import type { ManagedRecord, Manifest } from '../model/actual.js';
import type { DesiredState, SpecOwner } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';

/** How an owner is shown: its name, else its spec path. */
export function ownerText(o: SpecOwner | undefined): string {
  if (!o) return 'an older lotusctl (no owner recorded)';
  return o.name !== undefined ? `spec "${o.name}" (${o.spec})` : o.spec;
}

/**
 * True when `me` owns a record: the same explicit name, or the same spec file (a name added to or removed from a
 * spec does not change its owner).
 */
export function owns(me: SpecOwner, record: ManagedRecord): boolean {
  const o = record.owner;
  if (!o) return false;
  return (o.name !== undefined && o.name === me.name) || o.spec === me.spec;
}

const groupKey = (r: ManagedRecord) => (r.owner ? (r.owner.name !== undefined ? `name:${r.owner.name}` : `spec:${r.owner.spec}`) : 'legacy');

export interface Ownership {
  /** The records this spec plans for, by label: its own, and those it adopts. */
  readonly mine: ReadonlyMap<string, ManagedRecord>;
  /** Why a record is adopted rather than owned (shown as the reason of its record change). */
  readonly adopted: ReadonlyMap<string, string>;
  /** Records of other specs, by label: never planned for. */
  readonly others: ReadonlyMap<string, ManagedRecord>;
}

/**
 * Sort the manifest's records into this spec's and others'. A group of records that no living spec can claim is
 * adopted, whole, by a spec that wants one of its labels:
 * - records from a lotusctl before owners (state.json format 1): an apply then removed every recorded job the
 *   applied spec did not name, so such records all come from the one spec applied last;
 * - records of a spec file that no longer exists (moved or renamed without a `name:`).
 * Adopting the whole group lets a moved spec remove the services it dropped on the way.
 * `specs` tells for each owner path whether the file exists (observed); an unknown path counts as existing.
 */
export function classifyRecords(manifest: Manifest, desired: DesiredState, specs: Readonly<Record<string, boolean>> = {}): Ownership {
  const me = desired.owner;
  const wanted = new Set(desired.jobs.map((j) => j.label));
  const mine = new Map<string, ManagedRecord>();
  const adopted = new Map<string, string>();
  const others = new Map<string, ManagedRecord>();
  const orphanGroups = new Map<string, ManagedRecord[]>();
  for (const r of Object.values(manifest.jobs)) {
    if (owns(me, r)) mine.set(r.label, r);
    else if (!r.owner || specs[r.owner.spec] === false) orphanGroups.set(groupKey(r), [...(orphanGroups.get(groupKey(r)) ?? []), r]);
    else others.set(r.label, r);
  }
  for (const group of orphanGroups.values()) {
    const claim = group.some((r) => wanted.has(r.label));
    for (const r of group) {
      if (!claim) {
        others.set(r.label, r);
        continue;
      }
      mine.set(r.label, r);
      adopted.set(r.label, r.owner
        ? `its record names ${r.owner.spec}, which no longer exists (moved or renamed?); this spec takes it over`
        : 'recorded by an older lotusctl without its spec; this spec takes it over');
    }
  }
  return { mine, adopted, others };
}

/** Refuses a plan that would change a job another spec owns. */
export function assertNotOwnedElsewhere(service: string, label: string, other: ManagedRecord, specFile: string): never {
  throw new LotusctlError('plan.owned-by-other-spec', `service "${service}": label ${label} is managed by another spec, ${ownerText(other.owner)}`, {
    hint: `give "${service}" another label in ${specFile}, or remove it from the other spec first (lotusctl destroy -f ${other.owner?.spec ?? 'OTHER.yaml'} --target ${other.name}); specs that share a state_dir each manage only their own jobs`,
  });
}
