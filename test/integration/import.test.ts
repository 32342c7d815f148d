import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diffLines } from 'diff';
import { build, buildBinary, parse } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { pythonExecutable } from '../fakes/lotus/harness.js';
import { repoRoot } from '../helpers/cli.js';
import { IS_ROOT } from '../helpers/operator.js';
import { Sandbox } from '../helpers/sandbox.js';

// A sandbox may run the CLI as an operator account rather than as the tests' user: these use its domains and
// give it the files a test makes, when the sandbox offers that.
type Operator = { gui?: string; userDomain?: string; daemonsDir?: string; chownToOperator?: (p: string) => void; sudo?: Sandbox['cli'] };
const op = () => sb as unknown as Operator;
const gui = () => op().gui ?? `gui/${process.getuid?.() ?? 0}`;
const userDomain = () => op().userDomain ?? `user/${process.getuid?.() ?? 0}`;
/** mkdir -p, the new folders the operator's. */
function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  op().chownToOperator?.(dir.startsWith(sb.home) ? sb.home : dir);
  return dir;
}
const FIXTURES = join(repoRoot, 'test/fixtures/import');
const GOLDEN = join(repoRoot, 'test/golden/render');

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

// Jobs cannot raise their open-files hard limit above this machine's (20000 on some CI hosts; launchd's
// kern.maxfilesperproc on a Mac): fixtures and example plists are capped to it so the doubles can run them.
const hardFiles = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 65536;
const maxFiles = (n: number) => Math.min(n, hardFiles);

/** A fixture with its placeholders filled in for this sandbox. */
function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .replaceAll('@HOME@', sb.home).replaceAll('@BIN@', sb.bin).replaceAll('@LOTUS@', join(sb.bin, 'lotus'))
    .replaceAll('@MAXFILES@', String(maxFiles(65536))).replaceAll('@NODE@', process.execPath).replaceAll('@PYTHON@', pythonExecutable());
}

function agentsDir(): string {
  return mkdirp(join(sb.home, 'Library/LaunchAgents'));
}

/** A plist file (mode 0644) in `dir`; `owner: 'root'` for /Library/LaunchDaemons, else the operator's. */
function install(dir: string, file: string, data: string | Uint8Array, owner: 'operator' | 'root' = 'operator'): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, file);
  writeFileSync(p, data);
  chmodSync(p, 0o644);
  if (owner === 'operator') mkdirp(dir);
  return p;
}

async function load(domain: string, path: string): Promise<void> {
  const r = await sb.launchctl(['bootstrap', domain, path]);
  expect(r.code, r.stderr).toBe(0);
}

async function running(label: string, domain: string): Promise<{ pid: number; runs?: number }> {
  let last = '';
  return waitFor(`${label} running`, async () => {
    const p = await sb.print(label, domain);
    last = p.text;
    return p.pid !== undefined ? { pid: p.pid, ...(p.runs !== undefined ? { runs: p.runs } : {}) } : undefined;
  }).catch((e: Error) => {
    throw new Error(`${e.message}; launchctl print said:\n${last}`);
  });
}

function sleeper(name = 'sleeper'): string {
  return sb.script(name, 'exec sleep 600');
}

interface Setup {
  /** What to pass to import (paths or labels). */
  args: string[];
  labels: string[];
  /** Where it is loaded, or undefined when it is only installed. */
  domain?: string;
  env?: Record<string, string>;
  /** A LaunchDaemon: lotusctl runs as root (with sudo, where the sandbox has an operator). */
  sudo?: boolean;
  /** Per label, what the import says plan will reload the job for (launchd's loaded copy spells it otherwise). */
  reload?: Record<string, string[]>;
}

/** A golden plist of an example, made to run here: paths moved into the sandbox, the program replaced by a sleeper. */
function golden(example: string, label: string): { text: string; dict: Record<string, unknown> } {
  const raw = readFileSync(join(GOLDEN, example, `${label}.plist`), 'utf8').replaceAll('<string>/Library/Logs/', `<string>${sb.path('Logs')}/`).replaceAll('/Users/alice', sb.home);
  const dict = parse(raw) as Record<string, unknown>;
  (dict.ProgramArguments as string[])[0] = sleeper();
  for (const key of ['SoftResourceLimits', 'HardResourceLimits']) {
    const limits = dict[key] as Record<string, number> | undefined;
    if (limits?.NumberOfFiles !== undefined) limits.NumberOfFiles = maxFiles(limits.NumberOfFiles);
  }
  for (const key of ['StandardOutPath', 'StandardErrorPath']) if (typeof dict[key] === 'string') mkdirp(dirname(dict[key] as string));
  return { text: `${build(dict as never, { indent: '\t', newline: '\n' })}\n`, dict };
}

const goldenServices = readdirSync(GOLDEN).flatMap((example) => readdirSync(join(GOLDEN, example))
  // lotusctl's own monitor job is not a service to import.
  .filter((f) => !f.startsWith('com.lotusctl.monitor')).map((f) => [example, basename(f, '.plist')] as const));

// Plists lotus.yaml can say exactly as they are: after the import, plan shows nothing to do.
const cases: Array<[string, () => Promise<Setup>]> = [
  ['a guide-style LaunchAgent for lotus daemon (the fake lotus), by path', async () => {
    mkdirp(join(sb.home, 'Library/Logs/lotus'));
    const p = install(agentsDir(), 'io.filecoin.lotus.daemon.plist', fixture('guide-lotus-daemon.plist'));
    await load(gui(), p);
    return { args: [p], labels: ['io.filecoin.lotus.daemon'], domain: gui() };
  }],
  ['the same as a binary plist, by label', async () => {
    mkdirp(join(sb.home, 'Library/Logs/lotus'));
    const p = install(agentsDir(), 'io.filecoin.lotus.daemon.plist', buildBinary(parse(fixture('guide-lotus-daemon.plist')) as never));
    expect(readFileSync(p).subarray(0, 8).toString('latin1')).toBe('bplist00');
    await load(gui(), p);
    return { args: ['io.filecoin.lotus.daemon'], labels: ['io.filecoin.lotus.daemon'], domain: gui() };
  }],
  ['a hand-written lotus-miner plist with keys lotusctl does not model', async () => {
    sb.script('lotus-miner', 'exec sleep 600');
    mkdirp(join(sb.home, '.lotusminer/logs'));
    const p = install(agentsDir(), 'com.example.lotus-miner.plist', fixture('extra-keys.plist'));
    await load(gui(), p);
    return { args: [p], labels: ['com.example.lotus-miner'], domain: gui() };
  }],
  ['a minimal hand-written plist', async () => {
    sleeper();
    const p = install(agentsDir(), 'com.example.minimal.plist', fixture('minimal.plist'));
    await load(gui(), p);
    return { args: [p], labels: ['com.example.minimal'], domain: gui() };
  }],
  ['a job lotusctl started through wait4path (its repo on a volume), after its lotus.yaml and state were lost', async () => {
    const repo = join(sb.mountVolume('LotusData'), 'lotus');
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('repo: ~/.lotus', `repo: ${repo}`));
    const applied = await sb.cli(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const label = 'com.lotusctl.daemon';
    expect(readFileSync(sb.agentPlist(label), 'utf8')).toMatch(/wait4path/);
    rmSync(sb.path('lotus.yaml'));
    rmSync(sb.stateDir(), { recursive: true });
    return { args: [label], labels: [label], domain: gui() };
  }],
  ...goldenServices.map(([example, label]): [string, () => Promise<Setup>] => [`examples/${example}: ${label}`, async () => {
    const { text, dict } = golden(example, label);
    if (example === 'system-daemon') {
      // A LaunchDaemon for user `filecoin`, which this machine cannot run: installed, disabled, not loaded.
      const daemons = op().daemonsDir ?? sb.path('LaunchDaemons');
      expect((await sb.launchctl(['disable', `system/${label}`])).code).toBe(0);
      return { args: [install(daemons, `${label}.plist`, text, 'root')], labels: [label], env: { LOTUSCTL_SYSTEM_DAEMONS_DIR: daemons }, sudo: true };
    }
    const p = install(agentsDir(), `${label}.plist`, text);
    const domain = dict.LimitLoadToSessionType === 'Background' ? userDomain() : gui();
    await load(domain, p);
    return { args: [p], labels: [label], domain };
  }]),
];

// Plists launchd reads as lotusctl would write them, but spelled otherwise: the importer writes them normalized.
const normalizing: Array<[string, () => Promise<Setup>]> = [
  ['Program next to a bare argv[0], a trailing slash and relative log paths', async () => {
    sleeper();
    mkdirp(join(sb.home, 'work/logs'));
    const p = install(agentsDir(), 'com.example.normalized.plist', fixture('normalized.plist'));
    await load(gui(), p);
    return { args: [p], labels: ['com.example.normalized'], domain: gui(), reload: { 'com.example.normalized': ['ProgramArguments', 'WorkingDirectory', 'StandardOutPath', 'StandardErrorPath'] } };
  }],
  ['a bare program name launchd finds on its own search path, and a relative one', async () => {
    sleeper('relative-sleeper');
    const p = install(agentsDir(), 'com.example.bare.plist', `${build({
      Label: 'com.example.bare', ProgramArguments: ['sleep', '600'], RunAtLoad: true, KeepAlive: { SuccessfulExit: false },
    } as never)}\n`);
    const q = install(agentsDir(), 'com.example.relative.plist', `${build({
      Label: 'com.example.relative', ProgramArguments: ['bin/relative-sleeper'], WorkingDirectory: sb.root, RunAtLoad: true,
    } as never)}\n`);
    await load(gui(), p);
    await load(gui(), q);
    return { args: [p, 'com.example.relative'], labels: ['com.example.bare', 'com.example.relative'], domain: gui(), reload: { 'com.example.bare': ['ProgramArguments'], 'com.example.relative': ['ProgramArguments'] } };
  }],
  ['a plist named otherwise than its label (lotusctl renames it)', async () => {
    sleeper();
    const p = install(agentsDir(), 'minimal.plist', fixture('minimal.plist'));
    await load(gui(), p);
    return { args: ['com.example.minimal'], labels: ['com.example.minimal'], domain: gui(), reload: { 'com.example.minimal': [`loaded from ${p}`] } };
  }],
];

/** Import, then plan must show nothing to do, and the jobs must still run as the same processes. */
async function importThenNoChanges(setup: () => Promise<Setup>): Promise<void> {
  const s = await setup();
  const before = [];
  for (const label of s.labels) before.push(s.domain ? await running(label, s.domain) : undefined);
  const cli = (args: string[]) => (s.sudo && op().sudo ? (op().sudo as Sandbox['cli']).call(sb, args, s.env ?? {}) : sb.cli(args, s.env));
  const r = await cli(['import', ...s.args, '--json']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.format_version).toBe('1');
  expect(out.services.map((x: { label: string; plist: string; action: string }) => [x.label, x.action, x.plist])).toEqual(s.labels.map((l) => [l, 'adopt', 'canonical']));

  // One plan: it validates lotus.yaml, and --json carries the drift report too.
  const plan = await cli(['plan', '--json', '--detailed-exitcode']);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  const doc = JSON.parse(plan.stdout);
  expect(doc.changes.filter((c: { action: string }) => c.action !== 'no-op')).toEqual([]);
  expect(doc.drift).toEqual([]);
  for (const [i, label] of s.labels.entries()) {
    if (s.domain) {
      const after = await sb.print(label, s.domain);
      expect({ pid: after.pid, runs: after.runs }).toEqual(before[i]);
    } else {
      expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toMatch(/state: stopped/);
    }
    expect(sb.manifest().jobs[label]?.state).toBe(s.domain ? 'running' : 'stopped');
  }
}

describe('lotusctl import, then plan shows no changes and the job was not restarted', () => {
  // A LaunchDaemon needs root (sudo): as another user the suite cannot install or load one.
  it.each(cases.filter(([name]) => IS_ROOT || !name.startsWith('examples/system-daemon')))('%s', async (_name, setup) => importThenNoChanges(setup));
});

/**
 * Import, then plan must show exactly one reload per job, for the reasons the import gave, and nothing else: launchd's
 * loaded copy still spells the values as the old plist did. The import itself restarts nothing; apply then reloads.
 */
async function importThenOneReload(setup: () => Promise<Setup>): Promise<void> {
  const s = await setup();
  const before: Record<string, { pid: number; runs?: number }> = {};
  for (const label of s.labels) before[label] = await running(label, s.domain as string);
  const r = await sb.cli(['import', ...s.args, '--json']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const services = JSON.parse(r.stdout).services as Array<{ service: string; label: string; reload: string[] }>;
  expect(Object.fromEntries(services.map((x) => [x.label, x.reload]))).toEqual(s.reload);
  for (const label of s.labels) {
    const p = await sb.print(label, s.domain as string);
    expect({ pid: p.pid, runs: p.runs }, `${label} was not restarted by the import`).toEqual(before[label]);
  }
  const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
  expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => [c.address, c.action]))
    .toEqual(services.map((x) => [`${x.service}.job`, 'replace']));
  expect(new Set(plan.drift.map((d: { kind: string }) => d.kind))).toEqual(new Set(['loaded-differs']));
  const applied = await sb.cli(['apply', '--auto-approve']);
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
}

describe('lotusctl import writes what launchd reads the same way normalized; plan shows the one reload that makes launchd\'s copy match', () => {
  it.each(normalizing)('%s', async (_name, setup) => importThenOneReload(setup));
});

describe('lotusctl import', () => {
  it('keeps credentials out of lotus.yaml: a 0600 secret file, a 0600 plist', async () => {
    sb.script('lotus-miner', 'exec sleep 600');
    mkdirp(join(sb.home, '.lotusminer/logs'));
    const p = install(agentsDir(), 'com.example.lotus-miner.plist', fixture('extra-keys.plist'));
    await load(gui(), p);
    const r = await sb.cli(['import', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\* EnvironmentVariables\.FULLNODE_API_INFO: holds a credential/);
    expect(r.stdout).toMatch(/- Comment: is not a launchd\.plist\(5\) key/);
    const yaml = readFileSync(sb.path('lotus.yaml'), 'utf8');
    expect(yaml).not.toContain('c2VjcmV0LXNpZ25hdHVyZQ');
    expect(yaml).toMatch(/FULLNODE_API_INFO: \{ file: secrets\/miner\.FULLNODE_API_INFO \}/);
    expect(yaml).toMatch(/plist_extra:\n\s+EnableTransactions: false\n\s+OnDemand: false\n\s+StandardInPath: \/dev\/null/);
    const secret = sb.path('secrets/miner.FULLNODE_API_INFO');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(readFileSync(secret, 'utf8')).toContain('c2VjcmV0LXNpZ25hdHVyZQ');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    const plan = await sb.cli(['plan']);
    expect(plan.stdout).not.toContain('c2VjcmV0LXNpZ25hdHVyZQ');
  });

  it('merges into an existing lotus.yaml: only lines are added, comments and layout stay', async () => {
    const helper = sleeper('helper');
    const existing = `# my node
version: 1
services:
  helper:                 # keeps the lights on
    program: ${helper}
    throttle_interval: 1s # fast
    exit_timeout: 60s

# the monitor comes later
`;
    sb.writeSpec(existing);
    mkdirp(join(sb.home, 'Library/Logs/lotus'));
    const p = install(agentsDir(), 'io.filecoin.lotus.daemon.plist', fixture('guide-lotus-daemon.plist'));
    await load(gui(), p);
    const r = await sb.cli(['import', 'io.filecoin.lotus.daemon']);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(sb.path('lotus.yaml'), 'utf8');
    expect(diffLines(existing, after).filter((d) => d.removed)).toEqual([]);
    expect(after).toMatch(/ {2}# imported by lotusctl on \d{4}-\d\d-\d\d from .*io\.filecoin\.lotus\.daemon\.plist\n {2}daemon:\n {4}label: io\.filecoin\.lotus\.daemon\n/);
    const plan = await sb.cli(['plan', '--json']);
    const doc = JSON.parse(plan.stdout);
    // The helper was never applied: it is created; the imported daemon is left as it is.
    expect(doc.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string }) => c.address).sort()).toEqual(['helper.job', 'helper.plist']);
  });

  it('refuses name and label collisions with a clear error and changes nothing; --name resolves a name clash', async () => {
    const existing = `version: 1\nservices:\n  daemon:\n    program: ${sleeper()}\n`;
    sb.writeSpec(existing);
    mkdirp(join(sb.home, 'Library/Logs/lotus'));
    const text = fixture('guide-lotus-daemon.plist');
    const p = install(agentsDir(), 'io.filecoin.lotus.daemon.plist', text);
    await load(gui(), p);
    const stateBefore = existsSync(join(sb.stateDir(), 'state.json'));

    const clash = await sb.cli(['import', p]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/error\[import\.collision\]: service name "daemon" \(for io\.filecoin\.lotus\.daemon\) is already used by service "daemon" in lotus\.yaml/);
    expect(clash.stderr).toMatch(/hint: give it another name: lotusctl import .* --name NAME/);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe(existing);
    expect(readFileSync(p, 'utf8')).toBe(text);
    expect(existsSync(join(sb.stateDir(), 'state.json'))).toBe(stateBefore);

    sb.writeSpec(`${existing}    label: io.filecoin.lotus.daemon\n`);
    const labelClash = await sb.cli(['import', p, '--name', 'lotus']);
    expect(labelClash.code).toBe(1);
    expect(labelClash.stderr).toMatch(/error\[import\.collision\]: label io\.filecoin\.lotus\.daemon is already used by service "daemon"/);

    sb.writeSpec(existing);
    const named = await sb.cli(['import', p, '--name', 'lotus']);
    expect(named.code, named.stderr).toBe(0);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toMatch(/\n {2}lotus:\n {4}label: io\.filecoin\.lotus\.daemon/);

    // Already managed: importing it again into another file is refused.
    const again = await sb.cli(['import', 'io.filecoin.lotus.daemon', '--out', sb.path('other.yaml')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error\[import\.collision\]: io\.filecoin\.lotus\.daemon is already managed by lotusctl/);
    expect(existsSync(sb.path('other.yaml'))).toBe(false);
  });

  it('a bare program launchd cannot find is repaired, and plan shows exactly the reload that applies it', async () => {
    mkdirp(join(sb.home, 'Library/Logs/lotus'));
    const dict = parse(fixture('guide-lotus-daemon.plist')) as Record<string, unknown>;
    dict.ProgramArguments = ['lotus', 'daemon'];
    const p = install(agentsDir(), 'io.filecoin.lotus.daemon.plist', `${build(dict as never)}\n`);
    await load(gui(), p);
    await waitFor('EX_CONFIG', async () => /78: EX_CONFIG/.test((await sb.print('io.filecoin.lotus.daemon')).text));

    const r = await sb.cli(['import', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const svc = JSON.parse(r.stdout).services[0];
    expect(svc).toMatchObject({ plist: 'canonical', reload: ['ProgramArguments'] });
    expect(svc.notes).toContainEqual(expect.objectContaining({ kind: 'repaired', key: 'ProgramArguments[0]' }));
    expect(readFileSync(p, 'utf8')).toContain(`<string>${join(sb.bin, 'lotus')}</string>`);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toContain(`program: ${join(sb.bin, 'lotus')}`);

    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => [c.address, c.action])).toEqual([
      ['daemon.job', 'replace'],
    ]);
    // The job is loaded but failing, and launchd's copy still has the bare name: drift says both; nothing else differs.
    expect(plan.drift.map((d: { kind: string }) => d.kind).sort()).toEqual(['job-not-running', 'loaded-differs']);
    const apply = await sb.cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a job loaded from a plist outside the launchd folders: its plist moves into ~/Library/LaunchAgents, the source stays', async () => {
    sleeper();
    const source = install(sb.path('my-plists'), 'minimal.plist', fixture('minimal.plist'));
    await load(gui(), source);
    const before = await running('com.example.minimal', gui());
    expect(existsSync(join(sb.home, 'Library/LaunchAgents'))).toBe(false);
    const r = await sb.cli(['import', 'com.example.minimal']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from ${sb.path('my-plists/minimal.plist')}`);
    expect(r.stdout).toContain(`> loaded from ${source}: launchd shows the loaded job as the old plist spelled it`);
    expect(existsSync(sb.agentPlist('com.example.minimal'))).toBe(true);
    expect(existsSync(source)).toBe(true);
    const after = await sb.print('com.example.minimal');
    expect({ pid: after.pid, runs: after.runs }).toEqual(before);
    // launchd loaded it from the other file: plan reloads it from lotusctl's once, and nothing else.
    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string }) => c.address)).toEqual(['minimal.job']);
  });

  it('a stopped job without a disable override: plan shows the disable that keeps it stopped, and nothing else', async () => {
    sleeper();
    install(agentsDir(), 'com.example.minimal.plist', fixture('minimal.plist'));
    const r = await sb.cli(['import', 'com.example.minimal', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).services[0]).toMatchObject({ state: 'stopped', disable: true, reload: [] });
    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => [c.address, c.action])).toEqual([['minimal.job', 'update']]);
    expect((await sb.print('com.example.minimal')).loaded).toBe(false);
  });

  it('--dry-run prints the lotus.yaml it would write and changes nothing', async () => {
    sleeper();
    const text = fixture('minimal.plist');
    const p = install(agentsDir(), 'com.example.minimal.plist', text);
    const r = await sb.cli(['import', p, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Would import 1 job into lotus\.yaml \(a new file\)/);
    expect(r.stdout).toMatch(/\+ {4}state: stopped/);
    expect(r.stdout).toContain('(dry run: nothing was written)');
    expect(existsSync(sb.path('lotus.yaml'))).toBe(false);
    expect(readFileSync(p, 'utf8')).toBe(text);
    expect(existsSync(join(sb.stateDir(), 'state.json'))).toBe(false);
  });

  it('fails clearly for a job that is not there, an unreadable plist and a plist lotus.yaml cannot express', async () => {
    const missing = await sb.cli(['import', 'com.example.nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error\[import\.not-found\]: no job com\.example\.nothing is loaded/);
    const garbage = install(agentsDir(), 'broken.plist', 'not a plist');
    const bad = await sb.cli(['import', garbage]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error\[import\.invalid-plist\]: .*broken\.plist is not a readable property list/);
    const odd = install(agentsDir(), 'odd.plist', `${build({ Label: 'com.example.odd', ProgramArguments: ['/bin/sleep', '9'], ProcessType: 'Turbo' } as never)}\n`);
    const unsupported = await sb.cli(['import', odd]);
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toMatch(/error\[import\.unsupported\]: ProcessType: "Turbo" is not one of Background, Standard, Adaptive, Interactive/);
    expect(existsSync(sb.path('lotus.yaml'))).toBe(false);
  });
});
