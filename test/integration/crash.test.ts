// Crash consistency through the real CLI: `lotusctl apply`/`destroy` is SIGKILLed before and after each launchctl
// call that changes something and before and after each file rename (every atomic write), for the create, change and
// destroy of a two-service spec (the fake lotus daemon and a small script). A plain rerun must then converge on its
// own, without force-unlock: the stale lock is taken over, temporary files are removed, the journal is finished.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, type CliResult } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

const HOOK = pathToFileURL(join(repoRoot, 'test/fakes/crash/kill-at-rename.mjs')).href;
const WRAPPER = join(repoRoot, 'test/fakes/crash/launchctl');
const DAEMON = 'com.lotusctl.daemon';
const HELPER = 'com.lotusctl.helper';

type Op = 'create' | 'change' | 'destroy';
type Side = 'before' | 'after';
interface Point { readonly via: 'launchctl' | 'rename'; readonly n: number; readonly side: Side }

/**
 * What each operation does, in order: launchctl calls that change something, and renames (one per atomic write:
 * journal entry, backup, plist, manifest). The counting test checks these against a full run, so a new write or
 * call cannot slip in without a crash test at it.
 */
const AGENTS = '$SB/home/Library/LaunchAgents';
const STATE = '$SB/home/Library/Application Support/lotusctl';
const SEQUENCE: Record<Op, { launchctl: readonly string[]; rename: readonly string[] }> = {
  create: {
    launchctl: [`bootstrap gui/UID ${AGENTS}/${DAEMON}.plist`, `bootstrap gui/UID ${AGENTS}/${HELPER}.plist`],
    rename: [
      `${STATE}/journal/${DAEMON}.json`, `${AGENTS}/${DAEMON}.plist`, `${STATE}/state.json`,
      `${STATE}/journal/${HELPER}.json`, `${AGENTS}/${HELPER}.plist`, `${STATE}/state.json`,
    ],
  },
  change: {
    launchctl: [`bootout gui/UID/${DAEMON}`, `bootstrap gui/UID ${AGENTS}/${DAEMON}.plist`, `bootout gui/UID/${HELPER}`, `bootstrap gui/UID ${AGENTS}/${HELPER}.plist`],
    rename: [
      `${STATE}/journal/${DAEMON}.json`, `${STATE}/backups/${DAEMON}/BACKUP`, `${AGENTS}/${DAEMON}.plist`, `${STATE}/state.json`,
      `${STATE}/journal/${HELPER}.json`, `${STATE}/backups/${HELPER}/BACKUP`, `${AGENTS}/${HELPER}.plist`, `${STATE}/state.json`,
    ],
  },
  destroy: {
    // Dependents first; the helper does not depend on the daemon, so plan order is the reverse of the spec's.
    launchctl: [`bootout gui/UID/${HELPER}`, `bootout gui/UID/${DAEMON}`],
    rename: [
      `${STATE}/journal/${HELPER}.json`, `${STATE}/backups/${HELPER}/BACKUP`, `${STATE}/state.json`,
      `${STATE}/journal/${DAEMON}.json`, `${STATE}/backups/${DAEMON}/BACKUP`, `${STATE}/state.json`,
    ],
  },
};

/**
 * Two services: `daemon` (the fake lotus when `lotus`, else a script, which starts much faster) and `helper` (a
 * script). Version 2 changes one field of each, so each job must be replaced (bootout, then bootstrap).
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
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: sb.root, env: { PATH: process.env.PATH, NO_COLOR: '1', ...sb.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
}

function crashEnv(sb: Sandbox, p: Point | undefined, log?: string): Record<string, string> {
  const env: Record<string, string> = {
    LOTUSCTL_LAUNCHCTL: WRAPPER, CRASH_LAUNCHCTL_REAL: sb.env.LOTUSCTL_LAUNCHCTL as string, CRASH_COUNTER: sb.path('crash-count'),
    NODE_OPTIONS: `--import ${HOOK}`,
  };
  if (log) env.CRASH_LOG = log;
  if (p?.via === 'launchctl') env.CRASH_AT_CALL = `${p.n}:${p.side}`;
  if (p?.via === 'rename') env.CRASH_AT_RENAME = `${p.n}:${p.side}`;
  return env;
}

/** The sandbox ready for `op`: the spec it runs against, applied first for change and destroy. */
async function prepare(op: Op, lotus: boolean): Promise<Sandbox> {
  const sb = new Sandbox();
  sb.writeSpec(specText(sb, 1, lotus));
  if (op !== 'create') {
    const r = await runCli(sb, ['apply', '--auto-approve']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }
  if (op === 'change') sb.writeSpec(specText(sb, 2, lotus));
  return sb;
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

async function expectConverged(sb: Sandbox, op: Op): Promise<void> {
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
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toContain(`<integer>${op === 'create' ? 60 : 61}</integer>`);
    expect(readFileSync(sb.agentPlist(HELPER), 'utf8')).toContain(`<string>${op === 'create' ? 600 : 601}</string>`);
  }
  // After destroy the spec's jobs are gone on purpose: only drift (the last apply's view) must be clean then.
  const check = await runCli(sb, op === 'destroy' ? ['drift', '--json'] : ['plan', '--json', '--detailed-exitcode']);
  expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
  const doc = JSON.parse(check.stdout) as { drift: unknown[]; leftovers: unknown[] };
  expect(doc.drift).toEqual([]);
  expect(doc.leftovers).toEqual([]);
}

describe('counting: what each operation does, in order', () => {
  it.concurrent.each<Op>(['create', 'change', 'destroy'])('%s', async (op) => {
    const sb = await prepare(op, false);
    try {
      const log = sb.path('crash.log');
      const r = await runCli(sb, command(op), crashEnv(sb, undefined, log));
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const norm = (l: string) => l.split(' ').slice(2).join(' ').replaceAll(sb.root, '$SB').replace(/gui\/\d+/g, 'gui/UID')
        .replace(/\/\d{8}T\d{9}Z-[0-9a-f]{8}\.plist$/, '/BACKUP');
      const calls = lines.filter((l) => l.startsWith('launchctl ')).map(norm);
      const renames = lines.filter((l) => l.startsWith('rename ')).map(norm);
      expect({ launchctl: calls, rename: renames }).toEqual(SEQUENCE[op]);
    } finally {
      await sb.stop();
    }
  });
});

/**
 * The distinct points of an operation: before and after each launchctl call; before each rename of the first job's
 * step (a temporary file is left: journal, backup, plist, manifest); after each manifest write (the step is done but
 * its journal entry and the lock are left; after the last one only the lock). The other sides of a rename are the
 * same state as the next point (the second job's renames repeat the first job's code paths).
 */
function points(op: Op, only?: 'launchctl'): Point[] {
  const seq = SEQUENCE[op];
  const out: Point[] = [];
  seq.launchctl.forEach((_, i) => out.push({ via: 'launchctl', n: i + 1, side: 'before' }, { via: 'launchctl', n: i + 1, side: 'after' }));
  if (only) return out;
  const firstStep = seq.rename.indexOf(`${STATE}/state.json`);
  seq.rename.forEach((dest, i) => {
    if (i <= firstStep) out.push({ via: 'rename', n: i + 1, side: 'before' });
    if (dest.endsWith('/state.json')) out.push({ via: 'rename', n: i + 1, side: 'after' });
  });
  return out;
}

interface Case extends Point { readonly op: Op; readonly lotus: boolean }
const cases: Case[] = [
  ...(['create', 'change', 'destroy'] as const).flatMap((op) => points(op).map((p) => ({ op, lotus: false, ...p }))),
  // The fake Lotus node for the riskiest operation: replacing a running node, at each launchctl call around the daemon.
  ...points('change', 'launchctl').filter((p) => p.n <= 2).map((p) => ({ op: 'change' as const, lotus: true, ...p })),
];

describe('SIGKILL at every point, then a plain rerun converges without force-unlock', () => {
  it.concurrent.each(cases)('$op (lotus: $lotus): kill $side $via call $n', async ({ op, lotus, via, n, side }) => {
    const sb = await prepare(op, lotus);
    try {
      const crashed = await runCli(sb, command(op), crashEnv(sb, { via, n, side }));
      expect(crashed.signal, `not killed:\n${crashed.stdout}\n${crashed.stderr}`).toBe('SIGKILL');
      const lock = JSON.parse(readFileSync(join(sb.stateDir(), 'lock.json'), 'utf8')) as { pid: number };

      // Before the rerun, plan names what the crash left, and never blames "outside lotusctl" for it.
      const seen = await runCli(sb, ['plan', '--json']);
      expect(seen.code, seen.stderr).toBe(0);
      const doc = JSON.parse(seen.stdout) as { drift: { kind: string; message: string }[]; leftovers: { kind: string; path: string }[] };
      expect(doc.leftovers.find((l) => l.kind === 'stale-lock')?.path).toBe(join(sb.stateDir(), 'lock.json'));
      expect(doc.drift.filter((d) => d.kind !== 'interrupted-apply')).toEqual([]);
      const temps = tempFiles(sb);
      expect(doc.leftovers.filter((l) => l.kind === 'temp-file').map((l) => l.path).sort()).toEqual([...temps].sort());
      if (via === 'rename' && side === 'before') expect(temps).toHaveLength(1);

      const rerun = await runCli(sb, command(op));
      expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(rerun.stdout).toContain(`took over the lock of lotusctl ${command(op)[0]} --auto-approve pid ${lock.pid}, which is no longer running`);
      for (const t of temps) expect(rerun.stdout).toContain(`removed ${t}, a temporary file of lotusctl pid ${lock.pid}`);
      expect(rerun.stdout + rerun.stderr).not.toMatch(/force-unlock/);
      await expectConverged(sb, op);
    } finally {
      await sb.stop();
    }
  }, 180_000);
});
