import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'plist';
import type { DomainKind } from '../../src/launchd/domain.js';
import { describe, expect, it } from 'vitest';
import type { PlistDict } from '../../src/model/desired.js';
import { canonicalJson } from '../../src/plan/digest.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { bareProgram, importPlist, serviceNameFor, type ImportContext } from '../../src/spec/import-plist.js';
import { planImport, type ImportSource } from '../../src/spec/import-plan.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { applyYamlEdits, yamlDocument } from '../../src/spec/yaml-edit.js';
import { thrown } from '../helpers/thrown.js';
import { testHost } from '../helpers/host.js';

const root = join(import.meta.dirname, '../..');
const ctx = (over: Partial<ImportContext> = {}): ImportContext => ({ name: 'daemon', home: '/Users/alice', specDir: '/Users/alice/lotus', programs: {}, ...over });
const base: PlistDict = { Label: 'com.lotusctl.daemon', ProgramArguments: ['/opt/homebrew/bin/lotus', 'daemon'], RunAtLoad: true, KeepAlive: { SuccessfulExit: false }, ExitTimeOut: 120 };

/** The service through lotus.yaml and back: what lotusctl would render for it. */
function rerender(service: Record<string, unknown>, name = 'daemon'): PlistDict {
  const text = yamlDocument({ version: 1, services: { [name]: service } });
  const v = validateSpecText(text);
  expect(v.diagnostics.filter((d) => d.severity === 'error'), text).toEqual([]);
  return toDesiredState(v.spec!, testHost()).desired.jobs[0]!.plist;
}

describe('importPlist: every key to its lotus.yaml field', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['the defaults are left out', {}, { program: '/opt/homebrew/bin/lotus', args: ['daemon'], exit_timeout: '120s' }],
    ['LOTUS_PATH becomes repo, under ~', { EnvironmentVariables: { LOTUS_PATH: '/Users/alice/.lotus', GOLOG_LOG_FMT: 'json' } }, { repo: '~/.lotus', env: { GOLOG_LOG_FMT: 'json' } }],
    ['Umask as an integer is the decimal value', { Umask: 18 }, { umask: '022' }],
    ['Umask as a string is read like strtoul with base 0', { Umask: '0x12' }, { umask: '022' }],
    ['byte limits get units, CPU seconds a duration', { SoftResourceLimits: { NumberOfFiles: 16384, Stack: 67108864, CPU: 3600, Data: 1000 }, HardResourceLimits: { NumberOfFiles: 65536, Core: 0 } },
      { limits: { open_files: { soft: 16384, hard: 65536 }, cpu: { soft: '3600s' }, core: { hard: 0 }, data: { soft: 1000 }, stack: { soft: '64MiB' } } }],
    ['a KeepAlive dictionary', { KeepAlive: { SuccessfulExit: false, Crashed: true, PathState: { '/Volumes/Chain': true }, OtherJobEnabled: { 'com.x.y': true } } },
      { keep_alive: { successful_exit: false, crashed: true, path_state: { '/Volumes/Chain': true }, other_job_enabled: { 'com.x.y': true } } }],
    ['absent RunAtLoad and KeepAlive are false', { RunAtLoad: undefined, KeepAlive: undefined }, { run_at_load: false, keep_alive: false }],
    ['LimitLoadToSessionType as a string or a list', { LimitLoadToSessionType: ['Aqua', 'Background'] }, { session_type: ['Aqua', 'Background'] }],
    ['logs named like lotusctl names them become logs.dir', { StandardOutPath: '/Users/alice/Library/Logs/lotus/daemon.out.log', StandardErrorPath: '/Users/alice/Library/Logs/lotus/daemon.err.log' }, { logs: { dir: '~/Library/Logs/lotus' } }],
    ['other log names stay as they are', { StandardOutPath: '/var/log/lotus.log' }, { logs: { stdout: '/var/log/lotus.log' } }],
    ['priority keys', { ProcessType: 'Interactive', Nice: -5, LowPriorityIO: false, LowPriorityBackgroundIO: false, AbandonProcessGroup: true },
      { process_type: 'Interactive', nice: -5, low_priority_io: false, low_priority_background_io: false, abandon_process_group: true }],
    ['launchd keys without a field go to plist_extra', { StartInterval: 300, LaunchOnlyOnce: false, OnDemand: false }, { plist_extra: { LaunchOnlyOnce: false, OnDemand: false, StartInterval: 300 } }],
    ['a system daemon', { UserName: 'filecoin', GroupName: 'staff' }, { user: 'filecoin', group: 'staff' }],
  ])('%s', (_name, extra, fields) => {
    const dict = Object.fromEntries(Object.entries({ ...base, ...extra }).filter(([, v]) => v !== undefined)) as PlistDict;
    const r = importPlist(dict, ctx());
    expect(r.service).toMatchObject(fields);
    if (!('run_at_load' in fields)) expect(r.service).not.toHaveProperty('run_at_load');
    expect(canonicalJson(rerender(r.service))).toBe(canonicalJson(r.expected));
    expect(r.equivalent).toBe(true);
  });

  it('resolves paths and programs the way launchd does', () => {
    const r = importPlist({ ...base, ProgramArguments: ['bin/lotus', 'daemon'], WorkingDirectory: '/opt/lotus/', StandardErrorPath: 'logs/err.log', EnvironmentVariables: { LOTUS_PATH: '~/.lotus' } }, ctx());
    expect(r.expected.ProgramArguments).toEqual(['/opt/lotus/bin/lotus', 'daemon']);
    expect(r.expected.StandardErrorPath).toBe('/opt/lotus/logs/err.log');
    expect(r.service).toMatchObject({ working_directory: '/opt/lotus', repo: '~/.lotus' });
    expect(r.equivalent).toBe(true);

    const bare = { ...base, ProgramArguments: ['sleep', '5'] };
    expect(bareProgram(bare)).toBe('sleep');
    const onLaunchdPath = importPlist(bare, ctx({ programs: { sleep: { launchd: '/bin/sleep', host: '/usr/local/bin/sleep' } } }));
    expect([onLaunchdPath.service.program, onLaunchdPath.equivalent]).toEqual(['/bin/sleep', true]);
    const offLaunchdPath = importPlist(bare, ctx({ programs: { sleep: { launchd: null, host: '/opt/homebrew/bin/sleep' } } }));
    expect([offLaunchdPath.service.program, offLaunchdPath.equivalent]).toEqual(['/opt/homebrew/bin/sleep', false]);
    expect(offLaunchdPath.notes).toContainEqual(expect.objectContaining({ kind: 'repaired', message: expect.stringMatching(/EX_CONFIG \(78\)/) }));
    const nowhere = importPlist(bare, ctx({ programs: { sleep: { launchd: null, host: null } } }));
    expect([nowhere.service.program, nowhere.equivalent]).toEqual(['sleep', true]);
    expect(importPlist({ ...base, StandardOutPath: '~/lotus.log' }, ctx()).equivalent).toBe(false);
  });

  it('moves credentials to secret files and drops what launchd ignores', () => {
    const r = importPlist({ ...base, Comment: 'x', EnvironmentVariables: { FULLNODE_API_INFO: 'eyJx.y.z:/ip4/127.0.0.1/tcp/1234/http', MINER_API_INFO: '/ip4/127.0.0.1/tcp/2345/http', LOTUS_FD_MAX: 65536 } }, ctx());
    expect(r.service).toMatchObject({ env: { MINER_API_INFO: '/ip4/127.0.0.1/tcp/2345/http' }, secret_env: { FULLNODE_API_INFO: { file: 'secrets/daemon.FULLNODE_API_INFO' } } });
    expect(r.secrets).toEqual([{ env: 'FULLNODE_API_INFO', path: '/Users/alice/lotus/secrets/daemon.FULLNODE_API_INFO', ref: 'secrets/daemon.FULLNODE_API_INFO', value: 'eyJx.y.z:/ip4/127.0.0.1/tcp/1234/http' }]);
    expect(r.notes.filter((n) => n.kind === 'dropped').map((n) => n.key)).toEqual(['EnvironmentVariables.LOTUS_FD_MAX', 'Comment']);
    expect(JSON.stringify(r.service)).not.toContain('eyJx');
  });

  it('refuses what lotus.yaml cannot express, naming the key', () => {
    for (const [extra, message] of [
      [{ ProcessType: 'Turbo' }, /ProcessType: "Turbo" is not one of/],
      [{ Nice: 30 }, /Nice: must be a whole number from -20 to 20/],
      [{ KeepAlive: 1 }, /KeepAlive: must be true, false or a dictionary/],
      [{ Label: 'a..b' }, /Label: "a\.\.b" is not a label/],
      [{ EnvironmentVariables: { 'my-var': 'x' } }, /EnvironmentVariables\.my-var: is not a name/],
      [{ StartCalendarInterval: { Hour: new Date(0) } }, /StartCalendarInterval\.Hour: holds a date value/],
      [{ ProgramArguments: [] }, /names no program/],
    ] as const) {
      expect(thrown(() => importPlist({ ...base, ...extra } as PlistDict, ctx())), JSON.stringify(extra)).toMatchObject({ code: 'import.unsupported', message: expect.stringMatching(message) });
    }
  });

  it('names services after the Lotus binary, else the label', () => {
    expect(serviceNameFor({ Label: 'a.b', ProgramArguments: ['/x/lotus', 'daemon', '--lite'] })).toBe('daemon');
    expect(serviceNameFor({ Label: 'a.b', Program: '/x/lotus-miner' })).toBe('miner');
    expect(serviceNameFor({ Label: 'com.example.Lotus_Node2', ProgramArguments: ['/x/y'] })).toBe('lotus-node2');
    expect(serviceNameFor({ Label: 'com.example.42', ProgramArguments: ['/x/y'] })).toBe('service');
  });
});

describe('importPlist round-trips lotusctl\'s own rendering (property)', () => {
  it('for generated services, import(render(spec)) renders the same bytes', () => {
    const size = fc.constantFrom(0, 4096, 67108864, 1000, 1073741824);
    const service = fc.record({
      program: fc.constantFrom('/opt/homebrew/bin/lotus', '/usr/local/bin/lotus-miner', '~/bin/lotus'),
      args: fc.array(fc.constantFrom('daemon', 'run', '--lite', '--api', '1234'), { maxLength: 3 }),
      repo: fc.option(fc.constantFrom('~/.lotus', '/Volumes/Chain/lotus'), { nil: undefined }),
      env: fc.dictionary(fc.constantFrom('GOLOG_LOG_FMT', 'LOTUS_FD_MAX', 'PATH'), fc.constantFrom('json', '16384', '/usr/bin:/bin')),
      run_at_load: fc.boolean(),
      keep_alive: fc.oneof(fc.boolean(), fc.record({ successful_exit: fc.boolean(), crashed: fc.boolean() }, { requiredKeys: [] })),
      throttle_interval: fc.option(fc.constantFrom('1s', '10s', '1m'), { nil: undefined }),
      exit_timeout: fc.constantFrom('0s', '60s', '5m'),
      process_type: fc.option(fc.constantFrom('Standard', 'Interactive', 'Adaptive'), { nil: undefined }),
      nice: fc.option(fc.integer({ min: -20, max: 0 }), { nil: undefined }),
      umask: fc.option(fc.constantFrom('022', '027', '077', 18), { nil: undefined }),
      logs: fc.option(fc.constantFrom({ dir: '~/Library/Logs/lotus' }, { stdout: '/var/log/x.log', stderr: '/var/log/x.log' }), { nil: undefined }),
      limits: fc.option(fc.record({ open_files: fc.record({ soft: fc.constant(16384), hard: fc.constant(65536) }), stack: fc.record({ soft: size }), cpu: fc.record({ hard: fc.constantFrom('1h', '90s') }) }, { requiredKeys: [] }), { nil: undefined }),
      plist_extra: fc.constantFrom({}, { StartInterval: 60 }, { LaunchOnlyOnce: true, StandardInPath: '/dev/null' }),
    }, { requiredKeys: ['program', 'exit_timeout'] });
    fc.assert(fc.property(service, (s) => {
      const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)));
      const first = rerender(clean);
      const r = importPlist(first, ctx());
      expect(r.equivalent).toBe(true);
      expect(canonicalJson(r.expected)).toBe(canonicalJson(first));
      expect(canonicalJson(rerender(r.service))).toBe(canonicalJson(first));
    }), { numRuns: 200, seed: 1010 });
  });

  it('for every example\'s rendered plist and every fixture', () => {
    // Each golden with the domain its example puts it in (the importer is told the job's domain).
    const goldens: Array<[string, DomainKind]> = [['daemon-and-miner/com.lotusctl.daemon', 'gui'], ['daemon-and-miner/com.example.lotus-miner', 'gui'], ['lotus/com.user.lotusd', 'gui'], ['ssh-user-domain/com.lotusctl.lite', 'user'], ['system-daemon/org.example.lotusd', 'system']];
    const fixtures = ['guide-lotus-daemon', 'extra-keys', 'minimal', 'normalized'].map((f) => readFileSync(join(root, 'test/fixtures/import', `${f}.plist`), 'utf8')
      .replaceAll('@HOME@', '/Users/alice').replaceAll('@BIN@', '/Users/alice/bin').replaceAll('@LOTUS@', '/opt/homebrew/bin/lotus').replaceAll('@MAXFILES@', '65536'));
    const cases: Array<[string, DomainKind]> = [...goldens.map(([g, d]): [string, DomainKind] => [readFileSync(join(root, 'test/golden/render', `${g}.plist`), 'utf8'), d]), ...fixtures.map((t): [string, DomainKind] => [t, 'gui'])];
    for (const [text, domain] of cases) {
      const dict = parse(text) as PlistDict;
      const r = importPlist(dict, ctx({ name: serviceNameFor(dict), jobDomain: domain, ...(domain !== 'gui' ? { domain } : {}) }));
      const host = testHost({ secrets: Object.fromEntries(r.secrets.map((s) => [s.path, s.value])) });
      const v = validateSpecText(yamlDocument({ version: 1, services: { [r.name]: r.service } }));
      expect(v.spec, `${String(dict.Label)}: ${JSON.stringify(v.diagnostics)}`).toBeDefined();
      expect(canonicalJson(toDesiredState(v.spec!, host).desired.jobs[0]!.plist), String(dict.Label)).toBe(canonicalJson(r.expected));
    }
  });
});

describe('planImport', () => {
  const source = (dict: PlistDict, over: Partial<ImportSource> = {}): ImportSource => ({
    label: String(dict.Label), sourcePath: `/Users/alice/Library/LaunchAgents/${String(dict.Label)}.plist`, format: 'xml', dict, location: 'agents',
    loaded: { domain: { kind: 'gui' }, pid: 42, exitTimeout: 5 }, domain: 'gui', ...over,
  });
  const input = (sources: ImportSource[], existingText?: string) => ({
    specPath: '/Users/alice/lotus/lotus.yaml', sources, programs: {}, host: testHost(), managedLabels: new Set<string>(), today: '2026-08-01',
    ...(existingText !== undefined ? { existingText } : {}),
  });

  it('writes a new file with the jobs\' most common domain as the default', () => {
    const p = planImport(input([
      source({ ...base, Label: 'a.one', LimitLoadToSessionType: 'Background' }, { domain: 'user', loaded: { domain: { kind: 'user' } } }),
      source({ ...base, Label: 'a.two', ProgramArguments: ['/x/y'] }, { domain: 'user', loaded: { domain: { kind: 'user' } } }),
      source({ ...base, Label: 'a.three', ProgramArguments: ['/x/z'] }, { loaded: undefined }),
    ]));
    expect(p.created).toBe(true);
    expect(p.text).toMatch(/^# lotus\.yaml written by `lotusctl import` on 2026-08-01 from:/);
    const spec = validateSpecText(p.text).spec!;
    expect(spec.defaults.domain).toBe('user');
    expect(Object.fromEntries(Object.entries(spec.services).map(([n, s]) => [n, [s.domain, s.state]]))).toEqual({ daemon: [undefined, 'running'], two: [undefined, 'running'], three: ['gui', 'stopped'] });
    expect(p.jobs.map((j) => [j.imported.label, j.action, j.plist, j.state])).toEqual([
      ['a.one', 'adopt', 'canonical', 'running'], ['a.two', 'adopt', 'canonical', 'running'], ['a.three', 'adopt', 'canonical', 'stopped'],
    ]);
  });

  it('a plist outside the launchd folders that is not loaded is a template', () => {
    const p = planImport(input([source(base, { sourcePath: '/Users/alice/Downloads/x.plist', location: 'elsewhere', loaded: undefined })]));
    expect(p.jobs.map((j) => [j.action, j.plist, j.state, j.removeSource])).toEqual([['template', 'none', 'running', false]]);
  });

  it('says when plan will reload a job: its loaded copy differs from what lotusctl writes', () => {
    const p = planImport(input([source(base, { loaded: { domain: { kind: 'gui' }, pid: 4, definition: { arguments: ['/opt/homebrew/bin/lotus', 'daemon', '--lite'] } } })]));
    expect(p.jobs[0]).toMatchObject({ plist: 'canonical', reload: ['ProgramArguments'] });
    expect(p.jobs[0]?.imported.notes.at(-1)?.message).toMatch(/already differed from its plist here/);
    const renamed = planImport(input([source(base, { sourcePath: '/Users/alice/Library/LaunchAgents/lotus.plist', loaded: { domain: { kind: 'gui' }, definition: { path: '/Users/alice/Library/LaunchAgents/lotus.plist', arguments: ['/opt/homebrew/bin/lotus', 'daemon'] } } })]));
    expect(renamed.jobs[0]).toMatchObject({ removeSource: true, reload: ['loaded from /Users/alice/Library/LaunchAgents/lotus.plist'] });
    const same = planImport(input([source(base, { loaded: { domain: { kind: 'gui' }, definition: { path: '/Users/alice/Library/LaunchAgents/com.lotusctl.daemon.plist', arguments: ['/opt/homebrew/bin/lotus', 'daemon'], exitTimeout: 120 } } })]));
    expect(same.jobs[0]?.reload).toEqual([]);
  });

  it('a stopped job gets a disable override from plan unless it has one', () => {
    const notLoaded = (disabled?: boolean) => planImport(input([source(base, { loaded: undefined, ...(disabled !== undefined ? { disabled } : {}) })])).jobs[0];
    expect(notLoaded(true)).toMatchObject({ state: 'stopped', disable: false });
    expect(notLoaded(false)).toMatchObject({ state: 'stopped', disable: true });
  });

  it('refuses collisions and an invalid existing file', () => {
    const existing = 'version: 1\nservices:\n  daemon:\n    program: /x\n';
    expect(thrown(() => planImport(input([source(base)], existing)))).toMatchObject({ code: 'import.collision', message: 'label com.lotusctl.daemon is already used by service "daemon" in lotus.yaml' });
    expect(thrown(() => planImport(input([source({ ...base, Label: 'org.other' })], existing)))).toMatchObject({ code: 'import.collision', message: expect.stringMatching(/service name "daemon" \(for org\.other\)/) });
    expect(thrown(() => planImport({ ...input([source(base)]), managedLabels: new Set(['com.lotusctl.daemon']) }))).toMatchObject({ code: 'import.collision', message: 'com.lotusctl.daemon is already managed by lotusctl' });
    expect(thrown(() => planImport(input([source(base), source({ ...base, ProgramArguments: ['/usr/local/bin/lotus', 'daemon'], Label: 'b' })])))).toMatchObject({ code: 'import.collision', message: expect.stringMatching(/\(imported too\)/) });
    expect(thrown(() => planImport(input([source(base)], 'version: 1\nservices: {}\n')))).toMatchObject({ code: 'import.spec-invalid' });
    expect(thrown(() => planImport(input([source(base, { location: 'global-agents' })])))).toMatchObject({ code: 'import.unsupported-location' });
    expect(thrown(() => planImport(input([source({ ...base, EnvironmentVariables: { X: 'a\u0007b' } })])))).toMatchObject({
      code: 'import.unsupported', details: [expect.stringMatching(/^services\.daemon\.env\.X: contains U\+0007 \(a control character\)/)],
    });
  });
});

describe('applyYamlEdits', () => {
  const text = `# head
version: 1
services:
  daemon:                  # the node
    program: /x            # where
    limits: { open_files: { soft: 256 } }
    keep_alive:            # restart it
      successful_exit: false

# tail
monitor: {}
`;
  it('changes only the lines it must, keeping comments in their columns', () => {
    const out = applyYamlEdits(text, [
      { path: ['services', 'daemon', 'program'], value: '/opt/homebrew/bin/lotus' },
      { path: ['services', 'daemon', 'limits', 'open_files', 'soft'], value: 16384 },
      { path: ['services', 'daemon', 'keep_alive'], value: true },
      { path: ['services', 'daemon', 'exit_timeout'], value: '120s' },
      { path: ['monitor', 'max_memory'], value: '28GiB' },
    ]);
    expect(out).toBe(`# head
version: 1
services:
  daemon:                  # the node
    program: /opt/homebrew/bin/lotus # where
    limits: { open_files: { soft: 16384 } }
    keep_alive: true       # restart it
    exit_timeout: 120s

# tail
monitor: { max_memory: 28GiB }
`);
  });

  it('adds nested mappings in block style with small ones in flow style', () => {
    const out = applyYamlEdits(text, [{ path: ['services', 'miner'], value: { program: '/y', args: ['run'], limits: { open_files: { soft: 1, hard: 2 } } }, comment: 'added' }]);
    expect(out).toContain(`      successful_exit: false
  # added
  miner:
    program: /y
    args: [run]
    limits:
      open_files: { soft: 1, hard: 2 }

# tail`);
  });
});
