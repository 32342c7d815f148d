// `monitor run` end to end: the fake launchd supervises a fake lotus daemon; the monitor probes them for real.
// Each runMonitor({ once: true }) is a whole process lifetime of the monitor: everything it remembers is on disk.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredJob } from '../../src/model/desired.js';
import { runMonitor } from '../../src/monitor/loop.js';
import type { SampleLine } from '../../src/monitor/samples.js';
import { readMonitorState } from '../../src/monitor/state.js';
import { Launchctl } from '../../src/system/launchctl.js';
import { acquireLock, lockPath } from '../../src/system/lock.js';
import { loadSpec } from '../../src/system/load-spec.js';
import { FakeLaunchd, waitFor } from '../fakes/launchctl/harness.js';
import { recordAsApplied } from '../helpers/applied.js';
import { fakeLaunchctlPath } from '../fakes/launchctl/index.js';
import { assertFakeLotusBuilt, killAllFakeLotus, pythonExecutable, waitForApi } from '../fakes/lotus/harness.js';
import { MACOS_TOOLS_DIR } from '../helpers/cli.js';
import { IS_ROOT, OPERATOR } from '../helpers/operator.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

beforeAll(() => {
  assertFakeLotusBuilt();
  const main = resolve(repoRoot, 'dist/test/fakes/launchctl/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
});

interface Line { event: string; level: string; msg: string; service?: string; services?: Record<string, string> }

interface Box {
  root: string;
  fake: FakeLaunchd;
  lc: Launchctl;
  specFile: string;
  stateDir: string;
  repo: string;
  job: DesiredJob;
  lines: Line[];
}

let boxes: Box[] = [];
afterEach(async () => {
  const all = boxes;
  boxes = [];
  const survivors: number[] = [];
  for (const b of all) {
    control(b, { scenario: ['synced'] }); // answer any request a hang scenario still holds
    survivors.push(...(await b.fake.stop()));
    rmSync(b.root, { recursive: true, force: true, maxRetries: 3 });
  }
  await killAllFakeLotus();
  expect(survivors, 'processes that outlived the fake launchd').toEqual([]);
});

const MONITOR = `monitor:
  schedule: 1s
  failure_threshold: 2
  backoff: { initial: 1s, max: 2s, reset_after: 1h }
  circuit_breaker: { max_restarts: 2, window: 1h }`;

/** A temp HOME with lotus.yaml for one fake lotus service, its plist bootstrapped into the fake launchd. */
async function startBox(): Promise<Box> {
  const root = mkdtempSync(join(tmpdir(), 'lotusctl-monitor-run-'));
  const fake = FakeLaunchd.create({ consoleUid: OPERATOR.uid, consoleGid: OPERATOR.gid });
  const lc = new Launchctl({ binary: fakeLaunchctlPath(), env: fake.env });
  const home = join(root, 'home');
  const repo = join(root, 'lotus-repo');
  const stateDir = join(root, 'state');
  const specFile = join(root, 'lotus.yaml');
  if (IS_ROOT) {
    // The node is the operator's agent (gui/<operator>) and its repo is here. This in-process monitor runs as root,
    // so it acts for the operator the way `sudo lotusctl monitor run` would: SUDO_* and their Directory Services entry.
    chownSync(root, OPERATOR.uid, OPERATOR.gid);
    writeFileSync(join(root, 'passwd'), `${OPERATOR.name}:*:${OPERATOR.uid}:${OPERATOR.gid}::${home}:/bin/sh\n`);
    Object.assign(process.env, {
      SUDO_UID: String(OPERATOR.uid), SUDO_GID: String(OPERATOR.gid), SUDO_USER: OPERATOR.name,
      LOTUSCTL_MACOS_TOOLS: MACOS_TOOLS_DIR, FAKE_DSCL_PASSWD: join(root, 'passwd'),
    });
  }
  writeFileSync(specFile, `version: 1
defaults:
  domain: gui
  state_dir: ${stateDir}
services:
  lotus:
    program: ${join(repoRoot, 'test/fakes/bin/lotus')}
    args: [daemon]
    repo: ${repo}
    exit_timeout: 3s
    env:
      LOTUS_API_LISTENADDRESS: /ip4/127.0.0.1/tcp/0/http
      FAKE_LOTUS_NODE: ${process.execPath}
      FAKE_LOTUS_PYTHON: ${pythonExecutable()}
    health:
      startup_grace: 0s
      max_chain_lag: 5
      min_peers: 1
${MONITOR}
`);
  // HOME only decides where the plist goes; the monitor never writes plists.
  const loaded = loadSpec(specFile, { env: { ...process.env, HOME: home } });
  recordAsApplied(specFile, { ...process.env, HOME: home });
  expect(loaded.desired?.jobs[0]?.domain).toEqual({ kind: 'gui', uid: OPERATOR.uid });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const job = loaded.desired?.jobs.find((j) => j.name === 'lotus') as DesiredJob;
  mkdirSync(dirname(job.plistPath), { recursive: true });
  writeFileSync(job.plistPath, job.plistText, { mode: 0o644 });
  const box: Box = { root, fake, lc, specFile, stateDir, repo, job, lines: [] };
  boxes.push(box);
  await lc.bootstrap(job.domain, job.plistPath);
  await waitForApi(repo, undefined, 20_000);
  return box;
}

/** Switches the fake's scenario through its control file (renamed into place so it is never read half-written). */
function control(b: Box, settings: Record<string, unknown>): void {
  const tmp = join(b.repo, '.fake-lotus.json.tmp');
  writeFileSync(tmp, JSON.stringify(settings));
  renameSync(tmp, join(b.repo, 'fake-lotus.json'));
}

/** One monitor process lifetime: a single tick. Returns this tick's sample for the service. */
async function tick(b: Box, probeTimeoutMs = 2000): Promise<SampleLine> {
  const before = samples(b).length;
  const code = await runMonitor({ file: b.specFile, once: true, launchctl: b.lc, probeTimeoutMs, log: (l) => b.lines.push(JSON.parse(l) as Line) });
  expect(code).toBe(0);
  const all = samples(b);
  expect(all.length).toBe(before + 1);
  return all.at(-1) as SampleLine;
}

function samples(b: Box): SampleLine[] {
  const dir = join(b.stateDir, 'samples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SampleLine));
}

async function job(b: Box): Promise<{ pid?: number; runs?: number }> {
  const p = await b.lc.print(b.job.domain, b.job.label);
  return { pid: p?.parsed.pid, runs: p?.parsed.runs };
}

const metrics = (b: Box): string => readFileSync(join(b.stateDir, 'metrics.prom'), 'utf8');

describe('monitor run against fake launchd + fake lotus', () => {
  it('a synced node is healthy and left alone; samples, metrics and state say so', async () => {
    const b = await startBox();
    const { pid, runs } = await job(b);
    const s = await tick(b);
    expect(s).toMatchObject({ service: 'lotus', status: 'healthy', reasons: [], action: 'none', pid, peers: 8 });
    expect(s.lag_epochs).toBeLessThanOrEqual(1);
    expect(s.height).toBeGreaterThan(5_000_000);
    expect(s.rss_bytes).toBeGreaterThan(1024 * 1024);
    expect(metrics(b)).toContain('lotusctl_service_up{service="lotus"} 1\n');
    expect(metrics(b)).toContain('lotusctl_peers{service="lotus"} 8\n');
    expect(readMonitorState(b.stateDir).services['lotus']).toMatchObject({ consecutiveFailures: 0, restartsTotal: 0, pid, lastStatus: 'healthy' });
    await tick(b);
    expect(await job(b)).toEqual({ pid, runs });
    expect(b.lines.filter((l) => l.event === 'restart')).toEqual([]);
  });

  it('restarts a stalled node after failure_threshold ticks, then opens the breaker after max_restarts and stops restarting', async () => {
    const b = await startBox();
    const first = await job(b);
    expect((await tick(b)).status).toBe('healthy');
    control(b, { scenario: ['stalled'], stallBehindEpochs: 10 });

    const t1 = await tick(b);
    expect(t1).toMatchObject({ status: 'unhealthy', action: 'none', why: 'failure 1 of 2 before a restart' });
    expect(t1.reasons).toEqual([`${t1.lag_epochs} epochs behind (max 5)`]);
    expect(t1.lag_epochs).toBeGreaterThanOrEqual(10); // stallBehindEpochs: the head froze 10 epochs back
    const t2 = await tick(b);
    expect(t2).toMatchObject({ status: 'unhealthy', action: 'restart' });
    expect(t2.action_error).toBeUndefined();
    // The restart shows in launchd: a new pid, one more run.
    const second = await waitFor('the restarted instance', async () => {
      const j = await job(b);
      return j.pid !== undefined && j.pid !== first.pid ? j : undefined;
    });
    expect(second.runs).toBe((first.runs ?? 0) + 1);
    expect(readMonitorState(b.stateDir).services['lotus']).toMatchObject({ restartsTotal: 1, backoffAttempt: 1, breakerOpen: false });
    expect(metrics(b)).toContain('lotusctl_restarts_total{service="lotus"} 1\n');

    // The control file lives in the repo, so the new instance is stalled too: it fails again and is restarted
    // once more when the backoff (1s) allows; that second restart fills the breaker (max 2 per hour).
    const seen: SampleLine[] = [];
    await waitFor('the second restart', async () => {
      const s = await tick(b);
      seen.push(s);
      return s.action === 'restart' ? s : undefined;
    }, 40_000);
    expect(seen.every((s) => s.status === 'unhealthy')).toBe(true);
    const third = await waitFor('the third instance', async () => {
      const j = await job(b);
      return j.pid !== undefined && j.pid !== second.pid ? j : undefined;
    });
    expect(third.runs).toBe((first.runs ?? 0) + 2);
    expect(readMonitorState(b.stateDir).services['lotus']).toMatchObject({ restartsTotal: 2, breakerOpen: true });
    expect(metrics(b)).toContain('lotusctl_breaker_open{service="lotus"} 1\n');
    const open = b.lines.filter((l) => l.event === 'breaker-open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ level: 'error', service: 'lotus', msg: expect.stringMatching(/^CIRCUIT BREAKER OPEN for lotus/) });

    // Still failing, threshold reached again, but no more restarts: same process, same run count.
    const held: SampleLine[] = [];
    for (let i = 0; i < 3; i++) held.push(await tick(b));
    expect(held.map((s) => s.action)).toEqual(['none', 'none', 'none']);
    expect(held.at(-1)?.why).toMatch(/^circuit breaker open: 2 restarts within 3600s \(max 2\); no restart before /);
    expect(await job(b)).toEqual(third);
    expect(b.lines.filter((l) => l.event === 'restart')).toHaveLength(2);
  });

  it('a live apply lock holds restarts back; the lock of a crashed apply does not (logged once); crash debris is removed at start', async () => {
    const b = await startBox();
    const first = await job(b);
    control(b, { scenario: ['stalled'], stallBehindEpochs: 10 });
    const live = await acquireLock(b.stateDir, 'lotusctl apply --auto-approve', { waitMs: 0 });
    try {
      expect((await tick(b)).why).toBe('failure 1 of 2 before a restart');
      const held = await tick(b);
      expect(held).toMatchObject({ action: 'none' });
      expect(held.why).toMatch(/lotusctl apply holds the state lock \(lotusctl apply --auto-approve pid \d+ since /);
    } finally {
      await live.release();
    }
    // A SIGKILLed apply: its lock stays, naming a pid that is gone; and a temporary file of its last write.
    const dead = spawnSync('true').pid as number;
    writeFileSync(lockPath(b.stateDir), JSON.stringify({ id: 'f00d0000-0000-4000-8000-000000000001', pid: dead, host: hostname(), command: 'lotusctl apply --auto-approve', user: 'u', since: 'x' }));
    const debris = join(b.stateDir, `.state.json.${dead}.0123456789ab.tmp`);
    writeFileSync(debris, '{');
    // One monitor process, ticking: the restart goes ahead, and the stale lock is logged once, not every tick.
    const ac = new AbortController();
    const before = samples(b).length;
    const done = runMonitor({ file: b.specFile, launchctl: b.lc, signal: ac.signal, log: (l) => b.lines.push(JSON.parse(l) as Line) });
    await waitFor('a restart and one more tick', () => {
      const after = samples(b).slice(before);
      const at = after.findIndex((x) => x.action === 'restart');
      return at >= 0 && after.length > at + 1;
    }, 30_000);
    ac.abort();
    expect(await done).toBe(0);
    expect(existsSync(debris)).toBe(false);
    expect(b.lines.filter((l) => l.event === 'cleanup').map((l) => l.msg)).toEqual([`removed ${debris}, a temporary file of lotusctl pid ${dead}, which is no longer running`]);
    const stale = b.lines.filter((l) => l.event === 'stale-lock');
    expect(stale.map((l) => [l.level, l.msg])).toEqual([['warn', `the state lock of lotusctl apply --auto-approve pid ${dead}, which is no longer running: it holds no restarts back; the next apply takes it over`]]);
    expect(b.lines.filter((l) => l.event === 'restart-held' && /holds the state lock/.test(l.msg)).length).toBe(1);
  });

  it('a node without peers is unhealthy and counts towards a restart', async () => {
    const b = await startBox();
    control(b, { scenario: ['no-peers'] });
    const s = await tick(b);
    expect(s).toMatchObject({ status: 'unhealthy', peers: 0, reasons: ['0 peers (min 1)'], action: 'none' });
    expect(metrics(b)).toContain('lotusctl_service_up{service="lotus"} 0\n');
  });

  it('a hung API times out quickly and counts as a failure', async () => {
    const b = await startBox();
    control(b, { scenario: ['hang'] });
    // The tick returns although the daemon never answers: the reason shows the probe's own 500 ms bound did it.
    const s = await tick(b, 500);
    expect(s).toMatchObject({ status: 'unhealthy', action: 'none', height: null, peers: null });
    expect(s.reasons).toEqual(['API unreachable: Filecoin.ChainHead: no answer within 500 ms']);
    expect(readMonitorState(b.stateDir).services['lotus']?.consecutiveFailures).toBe(1);
  });

  it('runs as a loop on a 1s schedule until aborted', async () => {
    const b = await startBox();
    const ac = new AbortController();
    const done = runMonitor({ file: b.specFile, launchctl: b.lc, signal: ac.signal, log: (l) => b.lines.push(JSON.parse(l) as Line) });
    await waitFor('two ticks', () => samples(b).length >= 2);
    ac.abort();
    expect(await done).toBe(0);
    expect(samples(b).every((s) => s.status === 'healthy')).toBe(true);
    expect(b.lines.find((l) => l.event === 'monitor-start')?.msg).toMatch(/every 1s$/);
    expect(b.lines.at(-1)?.event).toBe('monitor-stop');
  });
});
