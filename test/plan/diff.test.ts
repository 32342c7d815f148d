import { describe, expect, it } from 'vitest';
import { jobKey, type ActualJob, type ActualJobState, type ActualState, type ManagedRecord } from '../../src/model/actual.js';
import type { DesiredJob, DesiredState, PlistDict } from '../../src/model/desired.js';
import { sha256 } from '../../src/plan/digest.js';
import { diff } from '../../src/plan/diff.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';

const NOW = '2026-11-30T00:00:00.000Z';
const OWNER = { spec: '/Users/alice/lotus/lotus.yaml' };
const spec = (extra = '') => validateSpecText(`version: 1\nservices:\n  daemon:\n    program: /usr/local/bin/lotus\n    limits: { open_files: { soft: 16384 } }\n${extra}`).spec!;
const job = (extra = ''): DesiredJob => toDesiredState(spec(extra), testHost()).desired.jobs[0]!;
const desiredOf = (...jobs: DesiredJob[]): DesiredState => ({ jobs, stateDir: '/s', owner: OWNER });

const running: ActualJobState = {
  known: true, loaded: true, disabled: undefined, running: true, pid: 10, runs: 1, lastExit: { kind: 'never' },
  definition: { resourceLimits: { 'maxfiles (soft)': 16384 } },
};

function record(j: DesiredJob, over: Partial<ManagedRecord> = {}): ManagedRecord {
  return {
    name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath, digest: sha256(j.plistText), state: 'running',
    sensitiveKeys: [], appliedAt: NOW, owner: OWNER, watch: j.watch, ...over,
  };
}

function onDisk(j: DesiredJob, state: ActualJobState, file: 'same' | 'other' | 'none' | 'binary' = 'same'): ActualJob {
  const dict = file === 'other' ? { ...j.plist, ExitTimeOut: 7 } : j.plist;
  const bytes = file === 'binary' ? `bplist00-ish ${j.plistText.length}` : file === 'other' ? j.plistText.replace('<integer>120</integer>', '<integer>7</integer>') : j.plistText;
  return {
    label: j.label, domain: j.domain, plistPath: j.plistPath, job: state,
    file: file === 'none' ? { exists: false } : { exists: true, digest: sha256(bytes), format: file === 'binary' ? 'binary' : 'xml', dict: dict as PlistDict, mode: 0o644, uid: 501 },
  };
}

function world(j: DesiredJob, state: ActualJobState, opts: { file?: 'same' | 'other' | 'none' | 'binary'; managed?: boolean; record?: Partial<ManagedRecord> } = {}): ActualState {
  const a = onDisk(j, state, opts.file);
  return { jobs: { [jobKey(j)]: a }, manifest: { formatVersion: 2, jobs: opts.managed === false ? {} : { [j.label]: record(j, opts.record) } }, directories: {} };
}

function summarize(j: DesiredJob, actual: ActualState, opts: { replace?: string[] } = {}) {
  const p = diff(desiredOf(j), actual, { now: NOW, ...opts });
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
    ['loaded with other limits: reload', world(j, { ...running, definition: { resourceLimits: { 'maxfiles (soft)': 256 } } }), { changes: ['daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: ['limits-differ'] }],
    // 8.6: a plist written without a reload: the loaded job still has the old arguments.
    ['loaded job differs from its plist: reload', world(j, { ...running, definition: { arguments: ['/usr/local/bin/lotus', 'daemon', '--old'] } }), { changes: ['daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: ['loaded-differs'] }],
    // 8.7: the same keys and values in other bytes (binary, re-indented): rewritten, never a restart.
    ['only the encoding differs: rewrite without a reload', world(j, running, { file: 'binary', record: { digest: 'other' } }), { changes: ['daemon.plist:update'], ops: [], drift: ['plist-edited'] }],
  ];
  for (const [name, actual, want] of cases) it(name, () => expect(summarize(j, actual)).toEqual(want));

  it('print environment with launchd\'s own variables is no difference; a changed value is, by name only', () => {
    const env = job('    env: { GOLOG_LOG_LEVEL: info }\n');
    const same = world(env, { ...running, definition: { environment: { GOLOG_LOG_LEVEL: 'info', XPC_SERVICE_NAME: env.label, OSLogRateLimit: '64' } } });
    expect(summarize(env, same).changes).toEqual([]);
    const other = world(env, { ...running, definition: { environment: { GOLOG_LOG_LEVEL: 'debug', XPC_SERVICE_NAME: env.label } } });
    const p = diff(desiredOf(env), other, { now: NOW });
    expect(p.changes.find((c) => c.address === 'daemon.job')?.reason).toMatch(/differs from its plist in EnvironmentVariables\.GOLOG_LOG_LEVEL/);
    expect(JSON.stringify(p.changes)).not.toContain('debug');
  });

  it('--replace reloads an unchanged running job, and only a running one', () => {
    expect(summarize(j, world(j, running), { replace: ['daemon'] })).toEqual({ changes: ['daemon.job:replace'], ops: ['bootout', 'bootstrap'], drift: [] });
    const stopped = job('    state: stopped\n');
    expect(() => diff(desiredOf(stopped), world(stopped, running), { now: NOW, replace: ['daemon'] })).toThrow(/its state is stopped/);
    expect(() => diff(desiredOf(j), world(j, running), { now: NOW, replace: ['nope'] })).toThrow(/--replace nope: no such service/);
  });

  it('a plist whose mode was changed by hand is drift, and apply rewrites it without reloading the job', () => {
    const w = world(j, running);
    const a = w.jobs[jobKey(j)]!;
    const chmodded = { ...w, jobs: { [jobKey(j)]: { ...a, file: { ...(a.file as Extract<typeof a.file, { exists: true }>), mode: 0o666 } } } };
    expect(summarize(j, chmodded)).toEqual({ changes: ['daemon.plist:update'], ops: [], drift: ['plist-mode'] });
  });

  it('state: stopped disables, then boots a loaded job out, and keeps the plist (9.4)', () => {
    const s = job('    state: stopped\n');
    expect(summarize(s, world(s, running))).toEqual({ changes: ['daemon.job:delete'], ops: ['disable', 'bootout'], drift: [] });
    // Booted out but not disabled (an older lotusctl, or `launchctl enable` by hand): launchd would load it at the next login.
    const notDisabled = world(s, { ...running, loaded: false, running: false }, { record: { state: 'stopped' } });
    expect(summarize(s, notDisabled)).toEqual({ changes: ['daemon.job:update'], ops: ['disable'], drift: ['job-enabled'] });
    const done = world(s, { ...running, loaded: false, running: false, disabled: true }, { record: { state: 'stopped' } });
    expect(summarize(s, done)).toEqual({ changes: [], ops: [], drift: [] });
  });

  it('state: running again re-enables a stopped job', () => {
    expect(summarize(j, world(j, { ...running, loaded: false, running: false, disabled: true }, { record: { state: 'stopped' } })).ops).toEqual(['enable', 'bootstrap']);
  });

  it('state: absent removes the plist and the job', () => {
    const s = job('    state: absent\n');
    expect(summarize(s, world(s, running))).toEqual({ changes: ['daemon.job:delete', 'daemon.plist:delete'], ops: ['bootout'], drift: [] });
  });

  it('an identical plist lotusctl has no record of is adopted without touching the job, and the plan says so', () => {
    const p = diff(desiredOf(j), world(j, { ...running, definition: { path: j.plistPath } }, { managed: false }), { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.record:create']);
    expect(p.summary).toEqual({ add: 1, change: 0, replace: 0, destroy: 0, unchanged: 2 });
    expect(p.steps.map((s) => s.ops)).toEqual([[]]);
  });

  it('a different plist lotusctl did not write is refused', () => {
    expect(() => diff(desiredOf(j), world(j, running, { file: 'other', managed: false }), { now: NOW })).toThrow(/was not created by lotusctl/);
  });

  it('a loaded job lotusctl did not create is never booted out (its plist moved aside)', () => {
    const moved = world(j, { ...running, definition: { path: '/Users/alice/elsewhere.plist' } }, { file: 'none', managed: false });
    expect(() => diff(desiredOf(j), moved, { now: NOW })).toThrow(/is loaded from \/Users\/alice\/elsewhere\.plist, but lotusctl did not create it/);
    const s = job('    state: stopped\n');
    expect(() => diff(desiredOf(s), world(s, running, { file: 'none', managed: false }), { now: NOW })).toThrow(/lotusctl did not create it/);
  });

  it('a managed job no longer in the spec is deleted; an unmanaged one is never touched', () => {
    const managed = diff(desiredOf(), world(j, running), { now: NOW });
    expect(managed.changes.map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.job:delete', 'daemon.plist:delete']);
    const foreign = diff(desiredOf(), world(j, running, { managed: false }), { now: NOW });
    expect(foreign.changes).toEqual([]);
    expect(foreign.steps).toEqual([]);
  });

  it('a record whose job and plist are already gone is dropped as a visible change', () => {
    const p = diff(desiredOf(), world(j, { ...running, loaded: false, running: false }, { file: 'none' }), { now: NOW });
    expect(p.changes.map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.record:delete']);
    expect(p.summary.destroy).toBe(1);
  });

  it('the fingerprint ignores the pid (KeepAlive restarts) but not the running state', () => {
    const a = diff(desiredOf(j), world(j, running), { now: NOW }).fingerprint;
    expect(diff(desiredOf(j), world(j, { ...running, pid: 99 }), { now: NOW }).fingerprint).toBe(a);
    expect(diff(desiredOf(j), world(j, { ...running, running: false }), { now: NOW }).fingerprint).not.toBe(a);
  });
});

describe('diff: ownership of a shared state dir (8.4)', () => {
  const j = job();
  const other = { spec: '/Users/alice/other/other.yaml' };

  it('another spec\'s jobs are neither removed nor adopted', () => {
    const w = world(j, running, { record: { owner: other } });
    const p = diff(desiredOf(), { ...w, specs: { [other.spec]: true } }, { now: NOW });
    expect(p.changes).toEqual([]);
    expect(diff(desiredOf(), { ...w, specs: { [other.spec]: true } }, { now: NOW, mode: 'destroy' }).changes).toEqual([]);
    expect(() => diff(desiredOf(j), { ...w, specs: { [other.spec]: true } }, { now: NOW })).toThrow(/label com\.lotusctl\.daemon is managed by another spec, \/Users\/alice\/other\/other\.yaml/);
  });

  it('records from before owners are adopted, all of them, by the spec that wants one', () => {
    const helper = { ...record(j), name: 'helper', label: 'com.lotusctl.helper', plistPath: '/Users/alice/Library/LaunchAgents/com.lotusctl.helper.plist' };
    const { owner: _o, ...legacy } = record(j);
    const { owner: _h, ...legacyHelper } = helper;
    const w: ActualState = { ...world(j, running), manifest: { formatVersion: 2, jobs: { [j.label]: legacy, [legacyHelper.label]: legacyHelper } } };
    const p = diff(desiredOf(j), w, { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`)).toEqual(['helper.record:delete', 'daemon.record:update']);
    // A spec that wants none of them leaves them alone.
    const worker = toDesiredState(validateSpecText('version: 1\nservices:\n  worker:\n    program: /bin/w\n').spec!, testHost()).desired.jobs[0]!;
    expect(diff(desiredOf(worker), w, { now: NOW }).changes.filter((c) => c.service !== 'worker')).toEqual([]);
  });

  it('a spec that moved (its old path is gone) takes its jobs over', () => {
    const w = world(j, running, { record: { owner: { spec: '/Users/alice/old/lotus.yaml' } } });
    const p = diff(desiredOf(j), { ...w, specs: { '/Users/alice/old/lotus.yaml': false } }, { now: NOW });
    expect(p.changes.find((c) => c.resource === 'record')?.reason).toMatch(/no longer exists \(moved or renamed\?\)/);
  });

  it('a spec with a name owns its jobs wherever the file is', () => {
    const w = world(j, running, { record: { owner: { spec: '/Users/alice/old/lotus.yaml', name: 'mainnet' } } });
    const p = diff({ ...desiredOf(j), owner: { spec: '/elsewhere/lotus.yaml', name: 'mainnet' } }, { ...w, specs: { '/Users/alice/old/lotus.yaml': true } }, { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => c.address)).toEqual(['daemon.record']);
  });
});

describe('diff: a changed domain or label replaces the job where it was (9.3)', () => {
  const j = job();
  it('domain gui -> user: bootout from the recorded domain, bootstrap in the new one', () => {
    const u = job('    domain: user\n');
    const w = world(j, running);
    const p = diff(desiredOf(u), { ...w, jobs: { ...w.jobs, [jobKey(u)]: onDisk(u, { ...running, loaded: false, running: false }) } }, { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.job:replace']);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]).toMatchObject({ domain: { kind: 'user', uid: 501 }, ops: ['bootstrap'], from: { domain: { kind: 'gui', uid: 501 }, ops: ['bootout'], removePlist: false } });
  });

  it('a new label: the old job is booted out and its plist removed, the new one installed', () => {
    const l = job('    label: org.example.lotusd\n');
    const w = world(j, running);
    const p = diff(desiredOf(l), w, { now: NOW });
    expect(p.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`)).toEqual(['daemon.plist:replace', 'daemon.job:replace']);
    expect(p.steps[0]).toMatchObject({ label: 'org.example.lotusd', from: { label: 'com.lotusctl.daemon', ops: ['bootout'], removePlist: true } });
  });
});

describe('diff: one monitor per state dir', () => {
  it('a second spec with a monitor on the same state dir is refused', () => {
    const host = testHost();
    const withMonitor = toDesiredState(validateSpecText('version: 1\nservices:\n  worker:\n    program: /bin/w\nmonitor:\n  label: com.example.monitor2\n').spec!, host).desired;
    const otherMonitor: ManagedRecord = {
      name: 'monitor', kind: 'monitor', label: 'com.lotusctl.monitor', domain: { kind: 'gui', uid: 501 }, plistPath: '/Users/alice/Library/LaunchAgents/com.lotusctl.monitor.plist',
      digest: 'x', state: 'running', sensitiveKeys: [], appliedAt: NOW, owner: { spec: '/Users/alice/other/other.yaml' },
    };
    const actual: ActualState = { jobs: {}, manifest: { formatVersion: 2, jobs: { [otherMonitor.label]: otherMonitor } }, directories: {}, specs: { '/Users/alice/other/other.yaml': true } };
    expect(() => diff({ ...withMonitor, owner: OWNER }, actual, { now: NOW })).toThrow(/another spec, \/Users\/alice\/other\/other\.yaml, already runs a monitor/);
  });
});
