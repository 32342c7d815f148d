// The plan of a machine an interrupted apply left half-done (its journal entry): finish it, never blame "outside".
import { describe, expect, it } from 'vitest';
import type { ActualJob, ActualJobState, ActualState, InterruptedStep, ManagedRecord } from '../../src/model/actual.js';
import type { DesiredJob } from '../../src/model/desired.js';
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

const NOW = '2026-11-30T00:00:00.000Z';
const job = (timeout = '120s'): DesiredJob =>
  toDesiredState(validateSpecText(`version: 1\nservices:\n  daemon:\n    program: /usr/local/bin/lotus\n    exit_timeout: ${timeout}\n`).spec!, testHost()).desired.jobs[0]!;
const v1 = job('120s');
const v2 = job('121s');
const running: ActualJobState = { known: true, loaded: true, disabled: undefined, running: true, pid: 10, runs: 1, lastExit: { kind: 'never' } };
const unloaded: ActualJobState = { known: true, loaded: false, disabled: undefined, running: false, lastExit: { kind: 'unknown' } };

function world(file: DesiredJob | 'none' | 'foreign', state: ActualJobState, managed: DesiredJob | undefined, step: Partial<InterruptedStep> | undefined): ActualState {
  const text = file === 'none' ? undefined : file === 'foreign' ? v1.plistText.replace('<integer>120</integer>', '<integer>9</integer>') : file.plistText;
  const a: ActualJob = {
    label: v1.label, domain: v1.domain, plistPath: v1.plistPath, job: state,
    file: text === undefined ? { exists: false } : { exists: true, digest: sha256(text), format: 'xml', mode: 0o644, uid: 501 },
  };
  const m = (d: DesiredJob): ManagedRecord => ({ name: 'daemon', kind: 'service', label: d.label, domain: d.domain, plistPath: d.plistPath, digest: sha256(d.plistText), state: 'running', sensitiveKeys: [], appliedAt: NOW });
  const e: InterruptedStep | undefined = step && {
    label: v1.label, service: 'daemon', kind: 'service', domain: v1.domain, plistPath: v1.plistPath, target: 'running', sensitiveKeys: [],
    command: 'lotusctl apply --auto-approve', pid: 4242, startedAt: NOW, inProgress: false, ...step,
  };
  return { jobs: { [v1.label]: a }, manifest: { formatVersion: 1, jobs: managed ? { [v1.label]: m(managed) } : {} }, directories: {}, ...(e ? { interrupted: [e] } : {}) };
}

const plan = (desired: DesiredJob[], actual: ActualState) => diff({ jobs: desired, stateDir: '/s' }, actual, { now: NOW });
const summary = (desired: DesiredJob[], actual: ActualState) => {
  const p = plan(desired, actual);
  return { changes: p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`), steps: p.steps.map((s) => `${s.target}:${s.ops.join('+')}`), drift: p.drift.map((d) => d.kind) };
};

describe('an interrupted change (journal: writing v2 over v1)', () => {
  const step = { digest: sha256(v2.plistText), previous: { digest: sha256(v1.plistText), state: 'running' as const } };
  it.each<[string, ActualState, ReturnType<typeof summary>]>([
    ['killed after bootout: old plist, job unloaded', world(v1, unloaded, v1, step), { changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'] }],
    ['killed after the plist write: new plist, job unloaded', world(v2, unloaded, v1, step), { changes: ['daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'] }],
    ['killed before the manifest write: all done but the record', world(v2, running, v1, step), { changes: [], steps: ['running:'], drift: ['interrupted-apply'] }],
    ['killed after the manifest write: only the journal entry is left', world(v2, running, v2, step), { changes: [], steps: ['running:'], drift: ['interrupted-apply'] }],
    ['a plist no lotusctl step wrote is still drift from outside', world('foreign', unloaded, v1, step), { changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply', 'plist-edited'] }],
  ])('%s', (_name, actual, want) => {
    expect(summary([v2], actual)).toEqual(want);
  });

  it('without the journal entry, the same machine is blamed on outside lotusctl (what the entry prevents)', () => {
    expect(summary([v2], world(v2, unloaded, v1, undefined)).drift).toEqual(['plist-edited', 'job-unloaded']);
  });

  it('says what happened, under its own heading, never "outside lotusctl"; plan and drift agree that apply has work', () => {
    const p = plan([v2], world(v2, running, v1, step));
    expect(p.drift[0]?.message).toBe(`lotusctl apply --auto-approve (pid 4242) stopped half-way while changing it (${NOW}); the next apply or destroy completes it`);
    const text = renderPlanText(p, noColors);
    expect(text).toContain('Unfinished: a lotusctl run began these and has not recorded them:\n  ! daemon (com.lotusctl.daemon): lotusctl apply');
    expect(text).not.toContain('outside lotusctl');
    expect(text).toContain('No changes to the jobs. Apply would only finish what an earlier lotusctl run left (above).');
    expect(applyHasWork(p)).toBe(true);
    expect(renderDriftText(p.drift, noColors)).not.toContain('outside');
  });

  it('a plan made while that apply still runs says so', () => {
    const p = plan([v2], world(v2, unloaded, v1, { ...step, inProgress: true }));
    expect(p.drift.map((d) => [d.kind, d.message])).toEqual([['apply-in-progress', 'lotusctl apply --auto-approve (pid 4242) is changing it right now']]);
  });

  it('the journal is part of the fingerprint: a saved plan goes stale when the entry appears or goes', () => {
    expect(fingerprint(world(v2, running, v1, step))).not.toBe(fingerprint(world(v2, running, v1, undefined)));
  });
});

describe('an interrupted create (no manifest record yet)', () => {
  const step = { digest: sha256(v1.plistText) };
  it('the plist it wrote is lotusctl\'s own, even when lotus.yaml has changed since: updated, not refused as unmanaged', () => {
    expect(() => plan([v2], world(v1, unloaded, undefined, undefined))).toThrow(/was not created by lotusctl/);
    expect(summary([v2], world(v1, unloaded, undefined, step))).toEqual({ changes: ['daemon.plist:update', 'daemon.job:create'], steps: ['running:bootstrap'], drift: ['interrupted-apply'] });
    expect(plan([v2], world(v1, unloaded, undefined, step)).changes.find((c) => c.address === 'daemon.plist')?.reason).toBe('an interrupted lotusctl run left another version');
  });

  it('a service removed from lotus.yaml since: the job it was creating is removed', () => {
    expect(summary([], world(v1, running, undefined, step))).toEqual({ changes: ['daemon.job:delete', 'daemon.plist:delete'], steps: ['absent:bootout'], drift: ['interrupted-apply'] });
  });

  it('destroy of a job that was being created', () => {
    const p = diff({ jobs: [v1], stateDir: '/s' }, world(v1, running, undefined, step), { now: NOW, mode: 'destroy' });
    expect(p.steps.map((s) => `${s.target}:${s.ops.join('+')}:${s.plist.action}`)).toEqual(['absent:bootout:remove']);
  });
});

describe('leftovers in the plan', () => {
  it('are shown first, listed in JSON, and make apply have work (exit 2), unless only a lock needs a person', () => {
    const actual: ActualState = { ...world(v1, running, v1, undefined), leftovers: [
      { kind: 'stale-lock', path: '/s/lock.json', pid: 4242, message: 'the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over' },
      { kind: 'temp-file', path: '/a/.x.plist.4242.0123456789ab.tmp', pid: 4242, message: 'temporary file of lotusctl pid 4242, which is no longer running; apply removes it' },
    ] };
    const p = plan([v1], actual);
    expect(renderPlanText(p, noColors)).toBe(`Left by earlier lotusctl runs:
  - /s/lock.json: the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over
  - /a/.x.plist.4242.0123456789ab.tmp: temporary file of lotusctl pid 4242, which is no longer running; apply removes it

No changes to the jobs. Apply would only finish what an earlier lotusctl run left (above).
`);
    expect(planJson(p).leftovers).toEqual([
      { kind: 'stale-lock', path: '/s/lock.json', pid: 4242, message: 'the state lock of lotusctl apply pid 4242, which is no longer running; apply takes it over' },
      { kind: 'temp-file', path: '/a/.x.plist.4242.0123456789ab.tmp', pid: 4242, message: 'temporary file of lotusctl pid 4242, which is no longer running; apply removes it' },
    ]);
    expect(applyHasWork(p)).toBe(true);
    expect(renderDriftText(p.drift, noColors, [], p.leftovers)).toContain('No drift in the jobs; apply would clean up what is listed above.');
    expect(fingerprint(actual)).toBe(fingerprint(world(v1, running, v1, undefined)));

    const person = plan([v1], { ...world(v1, running, v1, undefined), leftovers: [{ kind: 'unproven-lock', path: '/s/lock.json', pid: 7, message: 'm' }] });
    expect(applyHasWork(person)).toBe(false);
    expect(renderPlanText(person, noColors)).toContain('No changes. Your Mac matches lotus.yaml.');
  });
});
