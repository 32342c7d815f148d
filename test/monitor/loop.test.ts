// The loop's own contract, with a stub launchctl (no processes): ticks never overlap, a failing tick or an invalid
// spec does not stop the loop, cron schedules tick, and an abort stops it with exit code 0.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSchedule, runMonitor } from '../../src/monitor/loop.js';
import { monitorStatePath, readMonitorState } from '../../src/monitor/state.js';
import type { Launchctl } from '../../src/system/launchctl.js';
import { waitFor } from '../fakes/launchctl/harness.js';
import { recordAsApplied } from '../helpers/applied.js';

/** launchctl at the boundary: print reports this test process as the job; a gate can hold print to make a tick slow. */
class StubLaunchctl {
  prints = 0;
  kickstarts = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  async print(): Promise<{ text: string; parsed: unknown }> {
    this.prints++;
    await this.gate;
    return { text: '', parsed: { pid: process.pid, state: 'running', runs: 1, properties: [], lastExit: { kind: 'never' } } };
  }
  async kickstart(): Promise<undefined> {
    this.kickstarts++;
    return undefined;
  }
  asLaunchctl(): Launchctl {
    return this as unknown as Launchctl;
  }
}

interface Line { event: string; level: string; msg: string; services?: Record<string, string>; stale_spec?: boolean; problem?: string }

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'lotusctl-loop-'));
  roots.push(root);
  const stateDir = join(root, 'state');
  const specFile = join(root, 'lotus.yaml');
  const spec = (extra = '') => `version: 1
defaults:
  state_dir: ${stateDir}
services:
  node:
    program: /bin/sleep
    args: ["3600"]
${extra}`;
  writeFileSync(specFile, spec());
  recordAsApplied(specFile);
  const lines: Line[] = [];
  const log = (l: string) => lines.push(JSON.parse(l) as Line);
  const events = (e: string) => lines.filter((l) => l.event === e);
  return { root, stateDir, specFile, spec, lines, log, events };
}

describe('runMonitor loop', () => {
  it('skips a tick while the previous one still runs, and stops on abort with 0', async () => {
    const sb = sandbox();
    const lc = new StubLaunchctl();
    lc.hold();
    const ac = new AbortController();
    const done = runMonitor({ file: sb.specFile, schedule: '1s', signal: ac.signal, launchctl: lc.asLaunchctl(), log: sb.log });
    await waitFor('a skipped tick', () => sb.events('tick-skipped').length > 0);
    expect(sb.events('tick')).toHaveLength(0);
    expect(lc.prints).toBe(1); // the skipped tick did not probe
    lc.release();
    await waitFor('two completed ticks', () => sb.events('tick').length >= 2);
    ac.abort();
    expect(await done).toBe(0);
    expect(sb.lines.at(-1)?.event).toBe('monitor-stop');
    expect(sb.events('tick')[0]?.services).toEqual({ node: 'healthy' });
    expect(sb.events('monitor-start')[0]).toMatchObject({ level: 'info', msg: `monitoring ${sb.specFile} every 1s` });
    const after = sb.lines.length;
    await new Promise((r) => setTimeout(r, 1500)); // proving absence: no tick may follow the stop
    expect(sb.lines.length).toBe(after);
  });

  it('keeps the last valid spec when the file turns invalid, and says when it is valid again', async () => {
    const sb = sandbox();
    const ac = new AbortController();
    const done = runMonitor({ file: sb.specFile, schedule: '1s', signal: ac.signal, launchctl: new StubLaunchctl().asLaunchctl(), log: sb.log });
    await waitFor('a first tick', () => sb.events('tick').length >= 1);
    writeFileSync(sb.specFile, 'version: 1\nservices: {}\n');
    await waitFor('two ticks on the stale spec', () => sb.events('tick').filter((t) => t.stale_spec === true).length >= 2);
    expect(sb.events('spec-invalid')).toHaveLength(1); // logged once per distinct problem, not every tick
    expect(sb.events('spec-invalid')[0]).toMatchObject({ level: 'error', msg: expect.stringMatching(/keeping the last valid spec/) });
    expect(sb.events('tick').filter((t) => t.stale_spec).every((t) => t.services?.['node'] === 'healthy')).toBe(true);
    writeFileSync(sb.specFile, sb.spec());
    await waitFor('the spec to be valid again', () => sb.events('spec-valid').length === 1);
    ac.abort();
    expect(await done).toBe(0);
  });

  it('logs a tick that throws and goes on with the next one', async () => {
    const sb = sandbox();
    mkdirSync(monitorStatePath(sb.stateDir), { recursive: true }); // a directory where the state file goes: the write throws
    const ac = new AbortController();
    const done = runMonitor({ file: sb.specFile, schedule: '1s', signal: ac.signal, launchctl: new StubLaunchctl().asLaunchctl(), log: sb.log });
    await waitFor('two failed ticks', () => sb.events('tick-failed').length >= 2);
    expect(sb.events('tick-failed')[0]).toMatchObject({ level: 'error', msg: expect.stringMatching(/^tick failed: cannot write .*monitor-state\.json/) });
    rmSync(monitorStatePath(sb.stateDir), { recursive: true });
    await waitFor('a good tick', () => sb.events('tick').length >= 1);
    ac.abort();
    expect(await done).toBe(0);
    expect(readMonitorState(sb.stateDir).services['node']).toMatchObject({ consecutiveFailures: 0, lastStatus: 'healthy' });
  });

  it('ticks on a cron schedule (with seconds), starting at once', async () => {
    const sb = sandbox();
    const ac = new AbortController();
    const done = runMonitor({ file: sb.specFile, schedule: '* * * * * *', signal: ac.signal, launchctl: new StubLaunchctl().asLaunchctl(), log: sb.log });
    await waitFor('three ticks', () => sb.events('tick').length >= 3);
    ac.abort();
    expect(await done).toBe(0);
    expect(sb.events('tick-failed')).toEqual([]);
  });

  it('takes the schedule from the spec when none is given', async () => {
    const sb = sandbox();
    writeFileSync(sb.specFile, sb.spec('monitor:\n  schedule: 2s\n'));
    const ac = new AbortController();
    const done = runMonitor({ file: sb.specFile, signal: ac.signal, launchctl: new StubLaunchctl().asLaunchctl(), log: sb.log });
    await waitFor('the start line', () => sb.events('monitor-start').length === 1);
    expect(sb.events('monitor-start')[0]?.msg).toMatch(/every 2s$/);
    ac.abort();
    expect(await done).toBe(0);
  });
});

describe('runMonitor once', () => {
  it('returns 0 after one tick, 1 when there is no valid spec', async () => {
    const sb = sandbox();
    const lc = new StubLaunchctl();
    expect(await runMonitor({ file: sb.specFile, once: true, launchctl: lc.asLaunchctl(), log: sb.log })).toBe(0);
    expect(sb.events('tick')).toHaveLength(1);
    expect(lc.prints).toBe(1);
    writeFileSync(sb.specFile, 'version: 2\n');
    expect(await runMonitor({ file: sb.specFile, once: true, launchctl: lc.asLaunchctl(), log: sb.log })).toBe(1);
    expect(sb.events('spec-invalid').at(-1)?.msg).toMatch(/no earlier valid spec; nothing is monitored/);
    expect(await runMonitor({ file: join(sb.root, 'missing.yaml'), once: true, launchctl: lc.asLaunchctl(), log: sb.log })).toBe(1);
    expect(sb.events('spec-invalid').at(-1)?.problem).toMatch(/no such file/);
  });
});

describe('parseSchedule', () => {
  it.each([
    ['30s', { intervalMs: 30_000 }],
    ['1m30s', { intervalMs: 90_000 }],
    ['*/5 * * * *', { cron: '*/5 * * * *' }],
    ['*/10 * * * * *', { cron: '*/10 * * * * *' }],
  ])('%j', (text, want) => expect(parseSchedule(text)).toEqual(want));

  it.each(['500ms', 'often', '61 * * * *'])('refuses %j', (text) => {
    expect(() => parseSchedule(text)).toThrow(expect.objectContaining({ code: 'monitor.bad-schedule' }));
  });
});
