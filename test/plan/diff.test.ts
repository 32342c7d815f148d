import { describe, expect, it } from 'vitest';
import type { ActualJob, ActualJobState, ActualState, ManagedRecord } from '../../src/model/actual.js';
import type { DesiredJob } from '../../src/model/desired.js';
import { sha256 } from '../../src/plan/digest.js';
import { diff } from '../../src/plan/diff.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';

const NOW = '2026-11-30T00:00:00.000Z';
const spec = (extra = '') => validateSpecText(`version: 1\nservices:\n  daemon:\n    program: /usr/local/bin/lotus\n    limits: { open_files: { soft: 16384 } }\n${extra}`).spec!;
const job = (extra = ''): DesiredJob => toDesiredState(spec(extra), testHost()).desired.jobs[0]!;

const running: ActualJobState = { known: true, loaded: true, disabled: undefined, running: true, pid: 10, runs: 1, lastExit: { kind: 'never' }, resourceLimits: { 'maxfiles (soft)': 16384 } };

function world(j: DesiredJob, state: ActualJobState, opts: { file?: 'same' | 'other' | 'none'; managed?: boolean } = {}): ActualState {
  const file = opts.file ?? 'same';
  const text = file === 'other' ? j.plistText.replace('<integer>120</integer>', '<integer>7</integer>') : j.plistText;
  const a: ActualJob = {
    label: j.label, domain: j.domain, plistPath: j.plistPath, job: state,
    file: file === 'none' ? { exists: false } : { exists: true, digest: sha256(text), format: 'xml', mode: 0o644, uid: 501 },
  };
  const m: ManagedRecord = { name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath, digest: sha256(j.plistText), state: 'running', sensitiveKeys: [], appliedAt: NOW };
  return { jobs: { [j.label]: a }, manifest: { formatVersion: 1, jobs: opts.managed === false ? {} : { [j.label]: m } }, directories: {} };
}

function summarize(j: DesiredJob, actual: ActualState) {
  const p = diff({ jobs: [j], stateDir: '/s' }, actual, { now: NOW });
  return {
    changes: p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`),
    ops: p.steps.flatMap((s) => s.ops),
    drift: p.drift.map((d) => d.kind),
  };
}

describe('diff: job actions (table)', () => {
  const j = job();
  const cases: Array<[string, ActualState, { changes: string[]; ops: string[]; drift: string[] }]> = [
    ['matches: nothing to do', world(j, running), { changes: [], ops: [], drift: [] }],
    ['not loaded: bootstrap', world(j, { ...running, loaded: false, running: false }), { changes: ['daemon.job:create'], ops: ['bootstrap'], drift: ['job-unloaded'] }],
    ['disabled and unloaded: enable then bootstrap', world(j, { ...running, loaded: false, running: false, disabled: true }), { changes: ['daemon.job:create'], ops: ['enable', 'bootstrap'], drift: ['job-unloaded', 'job-disabled'] }],
    ['loaded, not running: kickstart', world(j, { ...running, running: false, lastExit: { kind: 'code', code: 1 } }), { changes: ['daemon.job:update'], ops: ['kickstart'], drift: ['job-not-running'] }],
    ['plist edited: update file, replace job', world(j, running, { file: 'other' }), { changes: ['daemon.plist:update', 'daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: ['plist-edited'] }],
    ['plist deleted: create file, replace loaded job', world(j, running, { file: 'none' }), { changes: ['daemon.plist:create', 'daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: ['plist-missing'] }],
    ['unreadable launchd state: reload, never assume healthy', world(j, { known: false, reason: 'print said nothing readable' }), { changes: ['daemon.job:replace'], ops: ['bootout', 'enable', 'bootstrap'], drift: ['job-unknown'] }],
    ['loaded with other limits: reload', world(j, { ...running, resourceLimits: { 'maxfiles (soft)': 256 } }), { changes: ['daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: ['limits-differ'] }],
  ];
  for (const [name, actual, want] of cases) it(name, () => expect(summarize(j, actual)).toEqual(want));

  it('a plist whose mode was changed by hand is drift, and apply rewrites it without reloading the job', () => {
    const w = world(j, running);
    const a = w.jobs[j.label]!;
    const chmodded = { ...w, jobs: { [j.label]: { ...a, file: { ...(a.file as Extract<typeof a.file, { exists: true }>), mode: 0o666 } } } };
    expect(summarize(j, chmodded)).toEqual({ changes: ['daemon.plist:update'], ops: [], drift: ['plist-mode'] });
  });

  it('state: stopped boots a loaded job out and keeps the plist', () => {
    const s = job('    state: stopped\n');
    expect(summarize(s, world(s, running))).toEqual({ changes: ['daemon.job:delete'], ops: ['bootout'], drift: [] });
  });

  it('state: absent removes the plist and the job', () => {
    const s = job('    state: absent\n');
    expect(summarize(s, world(s, running))).toEqual({ changes: ['daemon.plist:delete', 'daemon.job:delete'], ops: ['bootout'], drift: [] });
  });

  it('an identical plist lotusctl did not write is adopted without touching the job', () => {
    const p = diff({ jobs: [j], stateDir: '/s' }, world(j, running, { managed: false }), { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op')).toEqual([]);
    expect(p.steps.map((s) => s.ops)).toEqual([[]]);
  });

  it('a different plist lotusctl did not write is refused', () => {
    expect(() => diff({ jobs: [j], stateDir: '/s' }, world(j, running, { file: 'other', managed: false }), { now: NOW })).toThrow(/was not created by lotusctl/);
  });

  it('a managed job no longer in the spec is deleted; an unmanaged one is never touched', () => {
    const managed = diff({ jobs: [], stateDir: '/s' }, world(j, running), { now: NOW });
    expect(managed.changes.map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.job:delete', 'daemon.plist:delete']);
    const foreign = diff({ jobs: [], stateDir: '/s' }, world(j, running, { managed: false }), { now: NOW });
    expect(foreign.changes).toEqual([]);
    expect(foreign.steps).toEqual([]);
  });

  it('the fingerprint ignores the pid (KeepAlive restarts) but not the running state', () => {
    const a = diff({ jobs: [j], stateDir: '/s' }, world(j, running), { now: NOW }).fingerprint;
    expect(diff({ jobs: [j], stateDir: '/s' }, world(j, { ...running, pid: 99 }), { now: NOW }).fingerprint).toBe(a);
    expect(diff({ jobs: [j], stateDir: '/s' }, world(j, { ...running, running: false }), { now: NOW }).fingerprint).not.toBe(a);
  });
});
