// The plan of a machine an interrupted apply left half-done (its journal entry): finish it, never blame "outside".
import { describe, expect, it } from 'vitest';
import { jobKey, type ActualJob, type ActualJobState, type ActualState, type InterruptedStep, type ManagedRecord } from '../../src/model/actual.js';
import type { DesiredJob, DesiredState } from '../../src/model/desired.js';
import { changeCount } from '../../src/model/plan.js';
import { sha256 } from '../../src/plan/digest.js';
import { diff } from '../../src/plan/diff.js';
import { fingerprint } from '../../src/plan/fingerprint.js';
import { applyHasWork } from '../../src/plan/recovery.js';
import { renderDriftText, renderPlanText } from '../../src/render/plan-text.js';
import { planJson } from '../../src/render/plan-json.js';
import { noColors } from '../../src/render/colors.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';
import { thrown } from '../helpers/thrown.js';

const BEFORE = '2026-11-29T00:00:00.000Z';
const NOW = '2026-11-30T00:00:00.000Z';
const AFTER = '2026-11-30T00:00:05.000Z';
const desiredOf = (timeout = '120s'): DesiredState =>
  toDesiredState(validateSpecText(`version: 1\nservices:\n  daemon:\n    program: /usr/local/bin/lotus\n    exit_timeout: ${timeout}\n`).spec!, testHost()).desired;
const v1 = desiredOf('120s').jobs[0]!;
const v2 = desiredOf('121s').jobs[0]!;
const OWNER = desiredOf().owner;
const OTHER = { spec: '/Users/alice/other/lotus.yaml' };
const running: ActualJobState = { known: true, loaded: true, disabled: undefined, running: true, pid: 10, runs: 1, lastExit: { kind: 'never' } };
const unloaded: ActualJobState = { known: true, loaded: false, disabled: undefined, running: false, lastExit: { kind: 'unknown' } };

interface Managed { readonly job: DesiredJob; readonly appliedAt: string }

function world(file: DesiredJob | 'none' | 'foreign', state: ActualJobState, managed: Managed | undefined, step: Partial<InterruptedStep> | undefined): ActualState {
  const text = file === 'none' ? undefined : file === 'foreign' ? v1.plistText.replace('<integer>120</integer>', '<integer>9</integer>') : file.plistText;
  const a: ActualJob = {
    label: v1.label, domain: v1.domain, plistPath: v1.plistPath, job: state,
    file: text === undefined ? { exists: false } : { exists: true, digest: sha256(text), format: 'xml', mode: 0o644, uid: 501 },
  };
  const m = (d: Managed): ManagedRecord => ({
    name: 'daemon', kind: 'service', label: d.job.label, domain: d.job.domain, plistPath: d.job.plistPath, digest: sha256(d.job.plistText), state: 'running',
    sensitiveKeys: [], appliedAt: d.appliedAt, owner: OWNER, watch: d.job.watch,
  });
  const e: InterruptedStep | undefined = step && {
    label: v1.label, service: 'daemon', kind: 'service', domain: v1.domain, plistPath: v1.plistPath, target: 'running', owner: OWNER, sensitiveKeys: [],
    command: 'lotusctl apply --auto-approve', pid: 4242, startedAt: NOW, path: `/s/journal/${v1.label}.json`, inProgress: false, ...step,
  };
  return { jobs: { [jobKey(a)]: a }, manifest: { formatVersion: 2, jobs: managed ? { [v1.label]: m(managed) } : {} }, directories: {}, ...(e ? { interrupted: [e] } : {}) };
}

const plan = (desired: DesiredJob[], actual: ActualState, mode: 'apply' | 'destroy' = 'apply') =>
  diff({ jobs: desired, stateDir: '/s', owner: OWNER }, actual, { now: NOW, mode });
const summary = (desired: DesiredJob[], actual: ActualState) => {
  const p = plan(desired, actual);
  return {
    changes: p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`), steps: p.steps.map((s) => `${s.target}:${s.ops.join('+')}`),
    drift: p.drift.map((d) => d.kind), leftovers: (p.leftovers ?? []).map((l) => l.kind),
  };
};

describe('an interrupted change (journal: writing v2 over v1)', () => {
  const step = { digest: sha256(v2.plistText), previous: { digest: sha256(v1.plistText), state: 'running' as const } };
  const was = { job: v1, appliedAt: BEFORE };
  it.each<[string, ActualState, ReturnType<typeof summary>]>([
    ['killed after bootout: old plist, job unloaded', world(v1, unloaded, was, step), { changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'], leftovers: [] }],
    ['killed after the plist write: new plist, job unloaded', world(v2, unloaded, was, step), { changes: ['daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'], leftovers: [] }],
    ['killed before the manifest write: all done but the record', world(v2, running, was, step), { changes: ['daemon.record:update'], steps: ['running:'], drift: ['interrupted-apply'], leftovers: [] }],
    ['killed after the manifest write: only the journal entry is left', world(v2, running, { job: v2, appliedAt: AFTER }, step), { changes: [], steps: [], drift: [], leftovers: ['journal-entry'] }],
    ['a plist no lotusctl step wrote is still drift from outside', world('foreign', unloaded, was, step), { changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply', 'plist-edited'], leftovers: [] }],
  ])('%s', (_name, actual, want) => {
    expect(summary([v2], actual)).toEqual(want);
  });

  it('without the journal entry, the same machine is blamed on outside lotusctl (what the entry prevents)', () => {
    expect(summary([v2], world(v2, unloaded, was, undefined)).drift).toEqual(['plist-edited', 'job-unloaded']);
  });

  it('says what happened, under its own heading, never "outside lotusctl"; the change that finishes it is counted', () => {
    const p = plan([v2], world(v2, running, was, step));
    expect(p.drift[0]?.message).toBe(`lotusctl apply --auto-approve (pid 4242) stopped half-way while changing it (${NOW}); the next apply or destroy completes it`);
    expect(p.changes.find((c) => c.address === 'daemon.record')?.reason).toMatch(/^an interrupted lotusctl run had done this but not recorded it/);
    const text = renderPlanText(p, noColors);
    expect(text).toContain('Unfinished: a lotusctl run began these and has not recorded them:\n  ! daemon (com.lotusctl.daemon): lotusctl apply');
    expect(text).not.toContain('outside lotusctl');
    expect(text).toContain('Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.');
    expect(changeCount(p.summary)).toBe(1);
    expect(renderDriftText(p.drift, noColors, [], p)).not.toContain('outside');
  });

  it('a recorded step leaves only its entry: no change, a leftover apply removes (so apply has work, and text says so)', () => {
    const p = plan([v2], world(v2, running, { job: v2, appliedAt: AFTER }, step));
    expect(p.leftovers).toEqual([{ kind: 'journal-entry', path: `/s/journal/${v1.label}.json`, pid: 4242, message: `journal entry of lotusctl apply --auto-approve (pid 4242) for daemon (${v1.label}), whose step was carried out and recorded; apply removes it` }]);
    expect(applyHasWork(p)).toBe(true);
    expect(renderPlanText(p, noColors)).toContain('No changes to the jobs. Apply would only clean up what earlier lotusctl runs left (above).');
  });

  it('a re-apply that matches the record it had (apply --replace killed after its bootstrap): nothing left, the entry is a leftover', () => {
    const same = { digest: sha256(v2.plistText), previous: { digest: sha256(v2.plistText), state: 'running' as const } };
    expect(summary([v2], world(v2, running, { job: v2, appliedAt: BEFORE }, same))).toEqual({ changes: [], steps: [], drift: [], leftovers: ['journal-entry'] });
    // Killed between its bootout and bootstrap: the job is loaded again, and that is not blamed on anyone else.
    expect(summary([v2], world(v2, unloaded, { job: v2, appliedAt: BEFORE }, same))).toEqual({ changes: ['daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'], leftovers: [] });
  });

  it('a plan made while that apply still runs says so, and never lists its entry for removal', () => {
    const p = plan([v2], world(v2, unloaded, was, { ...step, inProgress: true }));
    expect(p.drift.map((d) => [d.kind, d.message])).toEqual([['apply-in-progress', 'lotusctl apply --auto-approve (pid 4242) is changing it right now']]);
    const done = plan([v2], world(v2, running, { job: v2, appliedAt: BEFORE }, { ...step, inProgress: true, previous: { digest: sha256(v2.plistText), state: 'running' } }));
    expect(done.leftovers ?? []).toEqual([]);
    expect(done.drift.map((d) => d.kind)).toEqual(['apply-in-progress']);
  });

  it('the journal is part of the fingerprint: a saved plan goes stale when the entry appears or goes', () => {
    expect(fingerprint(world(v2, running, was, step))).not.toBe(fingerprint(world(v2, running, was, undefined)));
  });
});

describe('an interrupted create (no manifest record yet)', () => {
  const step = { digest: sha256(v1.plistText) };
  it('the plist it wrote is lotusctl\'s own, even when lotus.yaml has changed since: updated, not refused as unmanaged', () => {
    expect(() => plan([v2], world(v1, unloaded, undefined, undefined))).toThrow(/was not created by lotusctl/);
    expect(summary([v2], world(v1, unloaded, undefined, step))).toEqual({ changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'], leftovers: [] });
    expect(plan([v2], world(v1, unloaded, undefined, step)).changes.find((c) => c.address === 'daemon.job')?.reason).toBe('an interrupted lotusctl run left it unloaded');
  });

  it('killed before the manifest write: recorded (a record change), nothing on the machine changes', () => {
    const p = plan([v1], world(v1, { ...running, definition: { path: v1.plistPath } }, undefined, step));
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}:${c.before === null}`)).toEqual(['daemon.record:create:true']);
    expect(p.lastAppliedAt).toBeUndefined();
  });

  it('a service removed from lotus.yaml since: the job it was creating is removed; with nothing of it left, only its entry', () => {
    expect(summary([], world(v1, running, undefined, step))).toEqual({ changes: ['daemon.job:delete', 'daemon.plist:delete'], steps: ['absent:bootout'], drift: ['interrupted-apply'], leftovers: [] });
    expect(summary([], world('none', unloaded, undefined, step))).toEqual({ changes: [], steps: [], drift: [], leftovers: ['journal-entry'] });
  });

  it('destroy of a job that was being created', () => {
    const p = plan([v1], world(v1, running, undefined, step), 'destroy');
    expect(p.steps.map((s) => `${s.target}:${s.ops.join('+')}:${s.plist.action}`)).toEqual(['absent:bootout:remove']);
  });

  it('another spec\'s interrupted create is its own: never removed or cleared by this spec, and its label is refused', () => {
    const theirs = { ...step, owner: OTHER };
    expect(summary([], { ...world(v1, running, undefined, theirs), specs: { [OTHER.spec]: true } })).toEqual({ changes: [], steps: [], drift: [], leftovers: [] });
    expect(thrown(() => plan([v1], { ...world(v1, running, undefined, theirs), specs: { [OTHER.spec]: true } })).code).toBe('plan.owned-by-other-spec');
  });
});

describe('an interrupted move (a label change)', () => {
  it('the old place it emptied and the new one it filled are its own: the move goes on, explained, and clears the entry', () => {
    const old = { ...v1, label: 'com.lotusctl.old', plistPath: v1.plistPath.replace('com.lotusctl.daemon', 'com.lotusctl.old') };
    const record: ManagedRecord = {
      name: 'daemon', kind: 'service', label: old.label, domain: old.domain, plistPath: old.plistPath, digest: sha256(v1.plistText), state: 'running',
      sensitiveKeys: [], appliedAt: BEFORE, owner: OWNER, watch: v1.watch,
    };
    const at = (label: string, plistPath: string, file: string | undefined): ActualJob => ({
      label, domain: v1.domain, plistPath, job: unloaded,
      file: file === undefined ? { exists: false } : { exists: true, digest: sha256(file), format: 'xml', mode: 0o644, uid: 501, dict: v1.plist },
    });
    // Killed after the old job was booted out and its plist removed, and the new plist written: nothing is loaded.
    const e: InterruptedStep = {
      label: v1.label, service: 'daemon', kind: 'service', domain: v1.domain, plistPath: v1.plistPath, target: 'running', owner: OWNER, sensitiveKeys: [],
      from: { label: old.label, domain: old.domain, plistPath: old.plistPath }, digest: sha256(v1.plistText), previous: { digest: record.digest, state: 'running' },
      command: 'lotusctl apply --auto-approve', pid: 4242, startedAt: NOW, path: `/s/journal/${v1.label}.json`, inProgress: false,
    };
    const olda = at(old.label, old.plistPath, undefined);
    const newa = at(v1.label, v1.plistPath, v1.plistText);
    const actual: ActualState = { jobs: { [jobKey(olda)]: olda, [jobKey(newa)]: newa }, manifest: { formatVersion: 2, jobs: { [old.label]: record } }, directories: {}, interrupted: [e] };
    const p = plan([v1], actual);
    expect(p.drift.map((d) => d.kind)).toEqual(['interrupted-apply']);
    expect(p.drift[0]?.message).toMatch(/stopped half-way while moving it/);
    expect(p.steps.map((s) => [s.label, s.from?.label, s.ops.join('+')])).toEqual([[v1.label, old.label, 'bootstrap']]);
    expect(p.leftovers ?? []).toEqual([]);
    // Without the entry, the emptied old place is drift from outside.
    expect(plan([v1], { ...actual, interrupted: [] }).drift.map((d) => d.kind)).toEqual(['plist-missing', 'job-unloaded']);
  });
});

describe('leftovers in the plan', () => {
  it('are shown first, listed in JSON, and make apply have work (exit 2), unless only a lock needs a person', () => {
    const actual: ActualState = { ...world(v1, running, { job: v1, appliedAt: BEFORE }, undefined), leftovers: [
      { kind: 'stale-lock', path: '/s/lock.json', pid: 4242, message: 'the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over' },
      { kind: 'temp-file', path: '/a/.x.plist.4242.0123456789ab.tmp', pid: 4242, message: 'temporary file of lotusctl pid 4242, which is no longer running; apply removes it' },
    ] };
    const p = plan([v1], actual);
    expect(renderPlanText(p, noColors)).toBe(`Left by earlier lotusctl runs:
  - /s/lock.json: the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over
  - /a/.x.plist.4242.0123456789ab.tmp: temporary file of lotusctl pid 4242, which is no longer running; apply removes it

No changes to the jobs. Apply would only clean up what earlier lotusctl runs left (above).
`);
    expect(planJson(p).leftovers).toEqual([
      { kind: 'stale-lock', path: '/s/lock.json', pid: 4242, message: 'the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over' },
      { kind: 'temp-file', path: '/a/.x.plist.4242.0123456789ab.tmp', pid: 4242, message: 'temporary file of lotusctl pid 4242, which is no longer running; apply removes it' },
    ]);
    expect(changeCount(p.summary)).toBe(0);
    expect(applyHasWork(p)).toBe(true);
    expect(renderDriftText(p.drift, noColors, [], p)).toContain('No drift in the jobs; apply would clean up what is listed above.');
    expect(fingerprint(actual)).toBe(fingerprint(world(v1, running, { job: v1, appliedAt: BEFORE }, undefined)));

    const person = plan([v1], { ...world(v1, running, { job: v1, appliedAt: BEFORE }, undefined), leftovers: [{ kind: 'unproven-lock', path: '/s/lock.json', pid: 7, message: 'm' }] });
    expect(applyHasWork(person)).toBe(false);
    expect(renderPlanText(person, noColors)).toContain('No changes. Your Mac matches lotus.yaml.');
  });
});
