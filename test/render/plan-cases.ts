// Plan values for the render tests, built as data (no planner, no file system), one per golden folder.
import { renderPlist } from '../../src/launchd/plist-render.js';
import type { PlistDict } from '../../src/model/desired.js';
import { PLAN_FORMAT_VERSION, type Change, type Drift, type JobStep, type JobView, type Plan, type PlanSummary, type PlistView } from '../../src/model/plan.js';

export const HOME = '/Users/alice';
export const CREATED_AT = '2025-01-15T10:00:00.000Z';
const FINGERPRINT = 'b5f1c0de9a7e4d2f8c3b6a1e0d9f8c7b6a5e4d3c2b1a09f8e7d6c5b4a3928170';

/** A secret as the planner would have it in clear in a step; it must never reach any output. */
export const MINER_SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.c2VjcmV0LW1pbmVy:/ip4/127.0.0.1/tcp/1234/http';
export const OLD_MINER_SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.b2xkLXNlY3JldA:/ip4/127.0.0.1/tcp/1234/http';
export const WORKER_SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.d29ya2VyLXNlY3JldA:/ip4/127.0.0.1/tcp/2345/http';

const plistPath = (label: string) => `${HOME}/Library/LaunchAgents/${label}.plist`;

export function plistView(label: string, keys: PlistDict, mode = '0644'): PlistView {
  return { path: plistPath(label), mode, keys, text: renderPlist(keys) };
}

const withSecrets = (keys: PlistDict, env: Record<string, string>): PlistDict => ({
  ...keys, EnvironmentVariables: { ...(keys.EnvironmentVariables as PlistDict), ...env },
});

export function daemonKeys(over: PlistDict = {}): PlistDict {
  return {
    Label: 'com.lotusctl.daemon',
    ProgramArguments: ['/opt/homebrew/bin/lotus', 'daemon'],
    EnvironmentVariables: { GOLOG_LOG_LEVEL: 'info', LOTUS_PATH: `${HOME}/.lotus` },
    WorkingDirectory: HOME,
    RunAtLoad: true,
    KeepAlive: { Crashed: true, SuccessfulExit: false },
    ExitTimeOut: 120,
    ThrottleInterval: 30,
    ProcessType: 'Interactive',
    SoftResourceLimits: { NumberOfFiles: 16384 },
    HardResourceLimits: { NumberOfFiles: 65536 },
    StandardOutPath: `${HOME}/Library/Logs/lotus/daemon.out.log`,
    StandardErrorPath: `${HOME}/Library/Logs/lotus/daemon.err.log`,
    ...over,
  };
}

export function minerKeys(env: Record<string, string>): PlistDict {
  return {
    Label: 'com.lotusctl.miner',
    ProgramArguments: ['/opt/homebrew/bin/lotus-miner', 'run'],
    EnvironmentVariables: { LOTUS_MINER_PATH: `${HOME}/.lotusminer`, ...env },
    RunAtLoad: true,
    KeepAlive: true,
    ExitTimeOut: 300,
    SoftResourceLimits: { NumberOfFiles: 65536 },
    HardResourceLimits: { NumberOfFiles: 65536, ResidentSetSize: 64 * 1024 ** 3 },
  };
}

const running: JobView = { loaded: true, enabled: true, running: true };

export function step(service: string, label: string, over: Partial<JobStep> = {}): JobStep {
  return {
    service, name: service, kind: 'service', label, domain: { kind: 'gui', uid: 501 }, plistPath: plistPath(label),
    plist: { action: 'keep' }, ops: [], directories: [], target: 'running', dependsOn: [], sensitiveKeys: [], ...over,
  };
}

const write = (keys: PlistDict, mode: number): JobStep['plist'] => ({ action: 'write', text: renderPlist(keys), mode, digest: 'sha256-of-the-bytes' });

export function plan(parts: { changes: Change[]; drift?: Drift[]; steps?: JobStep[]; summary: Partial<PlanSummary>; mode?: Plan['mode']; lastAppliedAt?: string | null }): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: parts.mode ?? 'apply',
    changes: parts.changes,
    drift: parts.drift ?? [],
    steps: parts.steps ?? [],
    summary: { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 0, ...parts.summary },
    fingerprint: FINGERPRINT,
    observed: {
      targets: (parts.steps ?? []).map((s) => ({ label: s.label, domain: s.domain, plistPath: s.plistPath })),
      directories: (parts.steps ?? []).flatMap((s) => s.directories),
    },
    stateDir: `${HOME}/Library/Application Support/lotusctl`,
    specPath: `${HOME}/lotus/lotus.yaml`,
    owner: { spec: `${HOME}/lotus/lotus.yaml` },
    ...(parts.lastAppliedAt !== null ? { lastAppliedAt: parts.lastAppliedAt ?? '2025-01-14T09:00:00.000Z' } : {}),
    createdAt: CREATED_AT,
  };
}

const REPLACE_REASON = 'the plist changed and launchd reads a plist only at bootstrap, so the job is booted out and bootstrapped again';

/** The golden cases: folder name -> plan. */
export const CASES: Readonly<Record<string, Plan>> = {
  'fresh-install': plan({
    changes: [
      { address: 'daemon.directory[/Users/alice/Library/Logs/lotus]', service: 'daemon', resource: 'directory', action: 'create', reason: 'log folder', before: null, after: { path: `${HOME}/Library/Logs/lotus` } },
      { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'create', reason: 'new service', before: null, after: plistView('com.lotusctl.daemon', daemonKeys()) },
      { address: 'daemon.job', service: 'daemon', resource: 'job', action: 'create', reason: 'new service', before: null, after: running },
    ],
    steps: [step('daemon', 'com.lotusctl.daemon', { plist: write(daemonKeys(), 0o644), ops: ['bootstrap'], directories: [`${HOME}/Library/Logs/lotus`] })],
    summary: { add: 3 },
    lastAppliedAt: null,
  }),

  'update-replace': (() => {
    const before = daemonKeys({ ExitTimeOut: 30, LowPriorityIO: true, SoftResourceLimits: { NumberOfFiles: 10240 } });
    const after = daemonKeys({
      Nice: 0,
      ProgramArguments: ['/opt/homebrew/bin/lotus', 'daemon', '--bootstrap=false'],
      SoftResourceLimits: { NumberOfFiles: 16384, ResidentSetSize: 32 * 1024 ** 3 },
    });
    return plan({
      changes: [
        { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'update', reason: 'lotus.yaml changed', before: plistView('com.lotusctl.daemon', before), after: plistView('com.lotusctl.daemon', after) },
        { address: 'daemon.job', service: 'daemon', resource: 'job', action: 'replace', reason: REPLACE_REASON, before: running, after: running },
      ],
      steps: [step('daemon', 'com.lotusctl.daemon', { plist: write(after, 0o644), ops: ['bootout', 'bootstrap'] })],
      summary: { change: 1, replace: 1 },
    });
  })(),

  'secret-changed': (() => {
    const masked = minerKeys({ FULLNODE_API_INFO: '(sensitive)' });
    return plan({
      changes: [
        {
          address: 'miner.plist', service: 'miner', resource: 'plist', action: 'update', reason: 'lotus.yaml changed',
          before: plistView('com.lotusctl.miner', masked, '0600'), after: plistView('com.lotusctl.miner', masked, '0600'),
          sensitive: { FULLNODE_API_INFO: 'changed' },
        },
        { address: 'miner.job', service: 'miner', resource: 'job', action: 'replace', reason: REPLACE_REASON, before: running, after: running },
      ],
      steps: [step('miner', 'com.lotusctl.miner', { plist: write(minerKeys({ FULLNODE_API_INFO: MINER_SECRET }), 0o600), ops: ['bootout', 'bootstrap'], sensitiveKeys: ['FULLNODE_API_INFO'] })],
      summary: { change: 1, replace: 1 },
    });
  })(),

  // The planner does not know which variables of a removed service were secret: its view holds them in clear.
  'delete-removed-service': (() => {
    const keys = withSecrets(minerKeys({}), { MINER_API_INFO: WORKER_SECRET });
    return plan({
      changes: [
        { address: 'miner.job', service: 'miner', resource: 'job', action: 'delete', reason: 'no longer in lotus.yaml', before: running, after: null },
        { address: 'miner.plist', service: 'miner', resource: 'plist', action: 'delete', reason: 'no longer in lotus.yaml', before: plistView('com.lotusctl.miner', keys, '0600'), after: null },
      ],
      steps: [step('miner', 'com.lotusctl.miner', { plist: { action: 'remove' }, ops: ['bootout'], target: 'absent' })],
      summary: { destroy: 2 },
    });
  })(),

  drift: (() => {
    const edited = daemonKeys({ ExitTimeOut: 300 });
    return plan({
      drift: [
        { service: 'daemon', label: 'com.lotusctl.daemon', kind: 'plist-edited', message: `${plistPath('com.lotusctl.daemon')} was edited outside lotusctl (differs from lotus.yaml in ExitTimeOut)` },
        { service: 'daemon', label: 'com.lotusctl.daemon', kind: 'job-unloaded', message: 'booted out (unloaded) outside lotusctl' },
      ],
      changes: [
        { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'update', reason: 'the plist was edited outside lotusctl', before: plistView('com.lotusctl.daemon', edited), after: plistView('com.lotusctl.daemon', daemonKeys()) },
        { address: 'daemon.job', service: 'daemon', resource: 'job', action: 'create', reason: 'the job was unloaded outside lotusctl', before: null, after: running },
      ],
      steps: [step('daemon', 'com.lotusctl.daemon', { plist: write(daemonKeys(), 0o644), ops: ['bootstrap'] })],
      summary: { add: 1, change: 1 },
    });
  })(),

  'no-changes': plan({
    changes: [
      { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'no-op', reason: 'unchanged', before: plistView('com.lotusctl.daemon', daemonKeys()), after: plistView('com.lotusctl.daemon', daemonKeys()) },
      { address: 'daemon.job', service: 'daemon', resource: 'job', action: 'no-op', reason: 'loaded and running', before: running, after: running },
    ],
    summary: { unchanged: 2 },
  }),

  'drift-without-changes': plan({
    drift: [{ service: 'daemon', label: 'com.lotusctl.daemon', kind: 'job-unknown', message: "launchd's state could not be read (print output not understood); treated as not healthy" }],
    changes: [
      { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'no-op', reason: 'unchanged', before: plistView('com.lotusctl.daemon', daemonKeys()), after: plistView('com.lotusctl.daemon', daemonKeys()) },
    ],
    summary: { unchanged: 1 },
  }),

  // state.json was lost; the plist and job already match: only the record is written, and the plan says so.
  'record-only': plan({
    changes: [
      { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'no-op', reason: 'unchanged', before: plistView('com.lotusctl.daemon', daemonKeys()), after: plistView('com.lotusctl.daemon', daemonKeys()) },
      { address: 'daemon.job', service: 'daemon', resource: 'job', action: 'no-op', reason: 'loaded and running', before: running, after: running },
      {
        address: 'daemon.record', service: 'daemon', resource: 'record', action: 'create',
        reason: 'lotusctl has no record of this job, but its plist and job already match lotus.yaml: it is recorded as managed; nothing on the machine changes',
        before: null, after: { label: 'com.lotusctl.daemon', domain: 'gui/501', state: 'running', owner: `${HOME}/lotus/lotus.yaml` },
      },
    ],
    steps: [step('daemon', 'com.lotusctl.daemon', { digest: 'sha256-of-the-bytes' })],
    summary: { add: 1, unchanged: 2 },
    lastAppliedAt: null,
  }),

  // state: stopped on a running job: disabled so it stays stopped across reboots and logins, then booted out.
  stopped: plan({
    changes: [
      { address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'no-op', reason: 'unchanged', before: plistView('com.lotusctl.daemon', daemonKeys()), after: plistView('com.lotusctl.daemon', daemonKeys()) },
      {
        address: 'daemon.job', service: 'daemon', resource: 'job', action: 'delete',
        reason: 'state: stopped; it is disabled too, so it stays stopped after a reboot or login (the plist stays)', before: running, after: null,
      },
    ],
    steps: [step('daemon', 'com.lotusctl.daemon', { ops: ['disable', 'bootout'], target: 'stopped' })],
    summary: { destroy: 1, unchanged: 1 },
  }),
};
