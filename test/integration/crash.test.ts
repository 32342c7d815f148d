// Crash consistency through the real CLI: `lotusctl apply`/`destroy` is SIGKILLed before and after each launchctl
// call that changes something, around its file writes (renames, the end of every atomic write) and after its last
// journal removal, for the create, change and destroy of a two-service spec. A plain rerun must then converge on its
// own, without force-unlock: the stale lock is taken over, temporary files are removed, the unfinished step is done.
//
// Runtime: the points run as a few chains, each in one sandbox (a converged rerun is the next point's starting state:
// create and destroy alternate, a change flips between two versions), three chains at a time. The services are
// scripts (fast to start); one chain replaces the fake Lotus node.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { cliPath, repoRoot, type CliResult } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

// Three chains at a time: they are CPU-bound, and more would only slow the test files running beside this one.
vi.setConfig({ maxConcurrency: 3 });

const HOOK = pathToFileURL(join(repoRoot, 'test/fakes/crash/kill-at-fs-call.mjs')).href;
const WRAPPER = join(repoRoot, 'test/fakes/crash/launchctl');
const DAEMON = 'com.lotusctl.daemon';
const HELPER = 'com.lotusctl.helper';

type Op = 'create' | 'change' | 'destroy';
type Via = 'launchctl' | 'rename' | 'rm';
interface Point { readonly via: Via; readonly n: number; readonly side: 'before' | 'after' }

const AGENTS = '$SB/home/Library/LaunchAgents';
const STATE = '$SB/home/Library/Application Support/lotusctl';
const LOCK_TMP = `${STATE}/.lock.json.PID.HEX.tmp`;

/**
 * What each operation does, in order: launchctl calls that change something, renames (one per atomic write: journal
 * entry, backup, plist, manifest) and rmSync calls (the lock's temporary file, plists, journal entries). The counting
 * test checks these against a full run, so a new write or call cannot slip in without a crash point at it.
 */
const SEQUENCE: Record<Op, Record<Via, readonly string[]>> = {
  create: {
    launchctl: [`bootstrap gui/UID ${AGENTS}/${DAEMON}.plist`, `bootstrap gui/UID ${AGENTS}/${HELPER}.plist`],
    rename: [
      `${STATE}/journal/${DAEMON}.json`, `${AGENTS}/${DAEMON}.plist`, `${STATE}/state.json`,
      `${STATE}/journal/${HELPER}.json`, `${AGENTS}/${HELPER}.plist`, `${STATE}/state.json`,
    ],
    rm: [LOCK_TMP, `${STATE}/journal/${DAEMON}.json`, `${STATE}/journal/${HELPER}.json`],
  },
  change: {
    launchctl: [`bootout gui/UID/${DAEMON}`, `bootstrap gui/UID ${AGENTS}/${DAEMON}.plist`, `bootout gui/UID/${HELPER}`, `bootstrap gui/UID ${AGENTS}/${HELPER}.plist`],
    rename: [
      `${STATE}/journal/${DAEMON}.json`, `${STATE}/backups/${DAEMON}/BACKUP`, `${AGENTS}/${DAEMON}.plist`, `${STATE}/state.json`,
      `${STATE}/journal/${HELPER}.json`, `${STATE}/backups/${HELPER}/BACKUP`, `${AGENTS}/${HELPER}.plist`, `${STATE}/state.json`,
    ],
    rm: [LOCK_TMP, `${STATE}/journal/${DAEMON}.json`, `${STATE}/journal/${HELPER}.json`],
  },
  destroy: {
    // Dependents first; the helper does not depend on the daemon, so plan order is the reverse of the spec's.
    launchctl: [`bootout gui/UID/${HELPER}`, `bootout gui/UID/${DAEMON}`],
    rename: [
      `${STATE}/journal/${HELPER}.json`, `${STATE}/backups/${HELPER}/BACKUP`, `${STATE}/state.json`,
      `${STATE}/journal/${DAEMON}.json`, `${STATE}/backups/${DAEMON}/BACKUP`, `${STATE}/state.json`,
    ],
    rm: [LOCK_TMP, `${AGENTS}/${HELPER}.plist`, `${STATE}/journal/${HELPER}.json`, `${AGENTS}/${DAEMON}.plist`, `${STATE}/journal/${DAEMON}.json`],
  },
};

/**
 * Two services: `daemon` (the fake lotus when `lotus`, else a script, which starts much faster) and `helper` (a
 * script). Version 2 changes one field of each, so a change replaces both jobs (bootout, then bootstrap).
 */
function specText(sb: Sandbox, version: 1 | 2, lotus: boolean): string {
  const sleeper = sb.script('sleeper', 'exec sleep "$1"');
  const helper = `  helper:\n    program: ${sleeper}\n    args: ["${version === 1 ? 600 : 601}"]\n    throttle_interval: 1s\n    exit_timeout: 5s\n`;
  const daemon = lotus ? Sandbox.lotusDaemonSpec(helper)
    : `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    args: ["700"]\n    throttle_interval: 1s\n    exit_timeout: 60s\n${helper}`;
  return version === 1 ? daemon : daemon.replace('exit_timeout: 60s', 'exit_timeout: 61s');
}

interface Run extends CliResult { signal: NodeJS.Signals | null }

function runCli(sb: Sandbox, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: sb.root, env: { PATH: process.env.PATH, NO_COLOR: '1', ...sb.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...sb.runAs() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
}

function crashEnv(sb: Sandbox, p: Point | undefined, log?: string): Record<string, string> {
  const env: Record<string, string> = {
    LOTUSCTL_LAUNCHCTL: WRAPPER, CRASH_LAUNCHCTL_REAL: sb.env.LOTUSCTL_LAUNCHCTL as string, CRASH_COUNTER: sb.path(`crash-count-${Date.now()}`),
    NODE_OPTIONS: `--import ${HOOK}`,
  };
  if (log) env.CRASH_LOG = log;
  if (p) env[p.via === 'launchctl' ? 'CRASH_AT_CALL' : p.via === 'rename' ? 'CRASH_AT_RENAME' : 'CRASH_AT_RM'] = `${p.n}:${p.side}`;
  return env;
}

/** A crash log line (`rename 3 /tmp/lotusctl-sb-x/home/…`) as SEQUENCE writes it. */
function normalize(sb: Sandbox, line: string): string {
  return line.split(' ').slice(2).join(' ').replaceAll(sb.root, '$SB').replace(/gui\/\d+/g, 'gui/UID')
    .replace(/\/\d{8}T\d{9}Z-[0-9a-f]{8}\.plist$/, '/BACKUP').replace(/\.\d+\.[0-9a-f]{12}\.tmp$/, '.PID.HEX.tmp');
}

const command = (op: Op) => (op === 'destroy' ? ['destroy', '--auto-approve'] : ['apply', '--auto-approve']);

/** Temporary files (atomic-file's names) anywhere lotusctl writes. */
function tempFiles(sb: Sandbox): string[] {
  const dirs = [sb.stateDir(), join(sb.stateDir(), 'journal'), join(sb.home, 'Library/LaunchAgents')];
  const backups = join(sb.stateDir(), 'backups');
  if (existsSync(backups)) for (const l of readdirSync(backups)) dirs.push(join(backups, l));
  return dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.tmp')).map((n) => join(d, n)));
}

function journal(sb: Sandbox): string[] {
  const d = join(sb.stateDir(), 'journal');
  return existsSync(d) ? readdirSync(d) : [];
}

/** Everything as `op` leaves it when it completes (`version`: the spec a create or change applied). */
async function expectConverged(sb: Sandbox, op: Op, version: 1 | 2): Promise<void> {
  expect(existsSync(join(sb.stateDir(), 'lock.json')), 'lock left').toBe(false);
  expect(tempFiles(sb)).toEqual([]);
  expect(journal(sb)).toEqual([]);
  if (op === 'destroy') {
    for (const label of [DAEMON, HELPER]) {
      expect(existsSync(sb.agentPlist(label)), label).toBe(false);
      expect((await sb.print(label)).loaded, label).toBe(false);
    }
    expect(sb.manifest().jobs).toEqual({});
  } else {
    for (const label of [DAEMON, HELPER]) {
      expect((await sb.print(label)).pid, label).toBeGreaterThan(0);
      expect(sb.manifest().jobs[label]?.state, label).toBe('running');
    }
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toContain(`<integer>${version === 1 ? 60 : 61}</integer>`);
    expect(readFileSync(sb.agentPlist(HELPER), 'utf8')).toContain(`<string>${version === 1 ? 600 : 601}</string>`);
  }
  // After destroy the spec's jobs are gone on purpose: only drift (the last apply's view) must be clean then.
  const check = await runCli(sb, op === 'destroy' ? ['drift', '--json'] : ['plan', '--json', '--detailed-exitcode']);
  expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
  const doc = JSON.parse(check.stdout) as { drift: unknown[]; leftovers: unknown[] };
  expect(doc.drift).toEqual([]);
  expect(doc.leftovers).toEqual([]);
}

/** Kills `op` at `p`, checks what plan says about the wreck, reruns `op` plainly and checks it converged. */
async function crashAndRerun(sb: Sandbox, op: Op, p: Point, version: 1 | 2): Promise<void> {
  // A backup identical to the newest one is not written again: without earlier backups every run writes the same files.
  rmSync(join(sb.stateDir(), 'backups'), { recursive: true, force: true });
  const log = sb.path(`crash-${Date.now()}.log`);
  const crashed = await runCli(sb, command(op), crashEnv(sb, p, log));
  expect(crashed.signal, `not killed:\n${crashed.stdout}\n${crashed.stderr}`).toBe('SIGKILL');
  // It died at the call this point names, not at another one.
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.startsWith(`${p.via} `));
  expect(calls.length).toBe(p.n);
  expect(normalize(sb, calls.at(-1) as string)).toBe(SEQUENCE[op][p.via][p.n - 1]);
  const lock = JSON.parse(readFileSync(join(sb.stateDir(), 'lock.json'), 'utf8')) as { pid: number };

  // Before the rerun, plan names what the crash left, and never blames "outside lotusctl" for it.
  const seen = await runCli(sb, ['plan', '--json']);
  expect(seen.code, seen.stderr).toBe(0);
  const doc = JSON.parse(seen.stdout) as { drift: { kind: string; message: string }[]; leftovers: { kind: string; path: string }[] };
  expect(doc.leftovers.find((l) => l.kind === 'stale-lock')?.path).toBe(join(sb.stateDir(), 'lock.json'));
  expect(doc.drift.filter((d) => d.kind !== 'interrupted-apply')).toEqual([]);
  const temps = tempFiles(sb);
  expect(doc.leftovers.filter((l) => l.kind === 'temp-file').map((l) => l.path).sort()).toEqual([...temps].sort());
  if (p.via === 'rename' && p.side === 'before') expect(temps).toHaveLength(1);

  const rerun = await runCli(sb, command(op));
  expect(rerun.code, `signal ${rerun.signal}\n${rerun.stdout}\n${rerun.stderr}`).toBe(0);
  expect(rerun.stdout).toContain(`took over the lock of lotusctl ${command(op)[0]} --auto-approve pid ${lock.pid}, which is no longer running`);
  for (const t of temps) expect(rerun.stdout).toContain(`removed ${t}, a temporary file of lotusctl pid ${lock.pid}`);
  expect(rerun.stdout + rerun.stderr).not.toMatch(/force-unlock/);
  // Killed after its last write, the run had done everything but release the lock: the rerun only cleans up.
  if (p.via === 'rm') expect(rerun.stdout).toContain('Done: finished what an earlier lotusctl run left; no resources changed.');
  await expectConverged(sb, op, version);
}

describe('counting: what each operation does, in order', () => {
  it.concurrent.each<Op>(['create', 'change', 'destroy'])('%s', async (op) => {
    const sb = new Sandbox();
    try {
      sb.writeSpec(specText(sb, 1, false));
      if (op !== 'create') expect((await runCli(sb, ['apply', '--auto-approve'])).code).toBe(0);
      if (op === 'change') sb.writeSpec(specText(sb, 2, false));
      const log = sb.path('crash.log');
      const r = await runCli(sb, command(op), crashEnv(sb, undefined, log));
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const got = Object.fromEntries((['launchctl', 'rename', 'rm'] as const).map((via) => [via, lines.filter((l) => l.startsWith(`${via} `)).map((l) => normalize(sb, l))]));
      expect(got).toEqual(SEQUENCE[op]);
    } finally {
      await sb.stop();
    }
  });
});

/**
 * The points of an operation: before and after each launchctl call; before the renames of the first job's step
 * (each leaves a temporary file: its backup, its plist, the manifest; for destroy also its journal entry); after each
 * manifest write (the step done, its journal entry and the lock left); after the last journal removal (only the
 * lock left). The other sides of a rename are the same state as a neighbouring point.
 */
function points(op: Op): Point[] {
  const seq = SEQUENCE[op];
  const out: Point[] = [];
  seq.launchctl.forEach((_, i) => out.push({ via: 'launchctl', n: i + 1, side: 'before' }, { via: 'launchctl', n: i + 1, side: 'after' }));
  const firstStep = seq.rename.indexOf(`${STATE}/state.json`);
  seq.rename.forEach((dest, i) => {
    if (i <= firstStep && (op === 'destroy' || !dest.includes('/journal/'))) out.push({ via: 'rename', n: i + 1, side: 'before' });
    if (dest.endsWith('/state.json')) out.push({ via: 'rename', n: i + 1, side: 'after' });
  });
  out.push({ via: 'rm', n: seq.rm.length, side: 'after' });
  return out;
}

const name = (op: Op, p: Point) => `${op}: kill ${p.side} ${p.via} ${p.n} (${op === 'change' ? '' : `${SEQUENCE[op][p.via][p.n - 1]}`})`.replace(' ()', '');

/** A step of a chain: kill `op` at `point` and rerun; without a point, just run `op` (to get to the next start). */
interface Chain { readonly title: string; readonly lotus: boolean; readonly steps: readonly { op: Op; point?: Point }[] }

function chains(): Chain[] {
  const create = points('create');
  const destroy = points('destroy');
  const pairs = Array.from({ length: Math.max(create.length, destroy.length) }, (_, i) => i);
  const alternate = (keep: (i: number) => boolean) => pairs.filter(keep).flatMap((i) => [
    { op: 'create' as const, ...(create[i] ? { point: create[i] } : {}) },
    ...(destroy[i] ? [{ op: 'destroy' as const, point: destroy[i] }] : []),
  ]);
  const change = points('change').map((point) => ({ op: 'change' as const, point }));
  return [
    { title: 'create and destroy, alternating (1 of 2)', lotus: false, steps: alternate((i) => i % 2 === 0) },
    { title: 'create and destroy, alternating (2 of 2)', lotus: false, steps: alternate((i) => i % 2 === 1) },
    { title: 'change (1 of 2)', lotus: false, steps: change.filter((_, i) => i % 2 === 0) },
    { title: 'change (2 of 2)', lotus: false, steps: change.filter((_, i) => i % 2 === 1) },
    // The fake Lotus node for the riskiest operation: replacing a running node, before and after bootout and bootstrap.
    { title: 'change of a Lotus node', lotus: true, steps: change.filter((s) => s.point.via === 'launchctl' && s.point.n <= 2) },
  ];
}

describe('SIGKILL at every point, then a plain rerun converges without force-unlock', () => {
  it.concurrent.each(chains())('$title', async ({ lotus, steps }) => {
    const sb = new Sandbox();
    try {
      let version: 1 | 2 = 1;
      sb.writeSpec(specText(sb, version, lotus));
      if (steps[0]?.op === 'change') await expectApplied(sb);
      for (const { op, point } of steps) {
        if (op === 'change') {
          version = version === 1 ? 2 : 1;
          sb.writeSpec(specText(sb, version, lotus));
        }
        if (!point) {
          await expectApplied(sb);
          continue;
        }
        try {
          await crashAndRerun(sb, op, point, version);
        } catch (e) {
          (e as Error).message = `at ${name(op, point)}: ${(e as Error).message}`;
          throw e;
        }
      }
    } finally {
      await sb.stop();
    }
  }, 1_200_000);
});

async function expectApplied(sb: Sandbox): Promise<void> {
  const r = await runCli(sb, ['apply', '--auto-approve']);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
}

describe('a spec sharing the state dir leaves another spec\'s interrupted apply alone', () => {
  it('its apply and destroy neither finish, remove nor clear it; the owner\'s rerun does', async () => {
    const sb = new Sandbox();
    try {
      sb.writeSpec(specText(sb, 1, false));
      const sleeper = sb.script('sleeper', 'exec sleep "$1"');
      sb.writeSpec(`version: 1\nservices:\n  worker:\n    program: ${sleeper}\n    args: ["500"]\n    throttle_interval: 1s\n`, 'other.yaml');
      // lotus.yaml's create dies right after the daemon's bootstrap: the daemon runs, state.json does not record it yet.
      const crashed = await runCli(sb, ['apply', '--auto-approve'], crashEnv(sb, { via: 'launchctl', n: 1, side: 'after' }));
      expect(crashed.signal, crashed.stdout + crashed.stderr).toBe('SIGKILL');
      expect(journal(sb)).toEqual([`${DAEMON}.json`]);
      const entry = readFileSync(join(sb.stateDir(), 'journal', `${DAEMON}.json`), 'utf8');

      const other = await runCli(sb, ['apply', '-f', 'other.yaml', '--auto-approve']);
      expect(other.code, other.stdout + other.stderr).toBe(0);
      expect(other.stdout).toContain('took over the lock of lotusctl apply --auto-approve pid');
      expect(other.stdout).not.toContain(DAEMON);
      const otherPlan = await runCli(sb, ['plan', '-f', 'other.yaml', '--json', '--detailed-exitcode']);
      expect(otherPlan.code, otherPlan.stdout + otherPlan.stderr).toBe(0);
      expect(JSON.parse(otherPlan.stdout)).toMatchObject({ drift: [], leftovers: [] });
      expect((await runCli(sb, ['destroy', '-f', 'other.yaml', '--auto-approve'])).code).toBe(0);
      expect(readFileSync(join(sb.stateDir(), 'journal', `${DAEMON}.json`), 'utf8')).toBe(entry);
      expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);
      expect(existsSync(sb.agentPlist(DAEMON))).toBe(true);

      // Wanting that label is refused, as for a job another spec has applied.
      sb.writeSpec(`version: 1\nservices:\n  daemon:\n    label: ${DAEMON}\n    program: ${sleeper}\n    args: ["500"]\n`, 'other.yaml');
      const refused = await runCli(sb, ['plan', '-f', 'other.yaml']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error\[plan\.owned-by-other-spec\]: service "daemon": label com\.lotusctl\.daemon is managed by another spec/m);

      const seen = await runCli(sb, ['plan', '--json']);
      expect(JSON.parse(seen.stdout).drift.map((d: { kind: string }) => d.kind)).toEqual(['interrupted-apply']);
      const rerun = await runCli(sb, ['apply', '--auto-approve']);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      await expectConverged(sb, 'create', 1);
    } finally {
      await sb.stop();
    }
  }, 300_000);
});
