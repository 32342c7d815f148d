// Issue 8.9: text, JSON, exit codes and apply's own report say the same thing, counted the same way; and the
// wording items (no "done (running (pid N))", no label named twice in a drift line).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const spec = (sleeper: string, level = 'info') =>
  `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    env: { GOLOG_LOG_LEVEL: ${level} }\n    logs: { dir: ~/Library/Logs/lotus }\n    throttle_interval: 1s\n    exit_timeout: 60s\n  helper:\n    program: ${sleeper}\n    throttle_interval: 1s\n`;

/** The numbers of "Plan: …" / "Apply complete! Resources: …", and of --json's summary. */
const textCounts = (s: string) => {
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to replace, (\d+) to destroy\./.exec(s);
  return m ? { add: +m[1]!, change: +m[2]!, replace: +m[3]!, destroy: +m[4]! } : undefined;
};
const applyCounts = (s: string) => {
  const m = /Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) replaced, (\d+) destroyed\./.exec(s);
  return m ? { add: +m[1]!, change: +m[2]!, replace: +m[3]!, destroy: +m[4]! } : undefined;
};

let lastApply = '';

/** plan (text, JSON, exit code) and then apply agree, and afterwards there is nothing left to do. */
async function consistentRound(): Promise<{ add: number; change: number; replace: number; destroy: number }> {
  const text = await sb.cli(['plan', '--detailed-exitcode']);
  const json = await sb.cli(['plan', '--json', '--detailed-exitcode']);
  const doc = JSON.parse(json.stdout);
  const { unchanged: _u, ...summary } = doc.summary;
  const n = summary.add + summary.change + summary.replace + summary.destroy;
  expect(doc.changes.filter((c: { action: string }) => c.action !== 'no-op')).toHaveLength(n);
  expect(text.code).toBe(json.code);
  expect(text.code).toBe(n > 0 ? 2 : 0);
  if (n === 0) {
    expect(text.stdout).toMatch(/^(Drift: .*\n(.*\n)*\n)?No changes\./);
    expect(textCounts(text.stdout)).toBeUndefined();
  } else expect(textCounts(text.stdout)).toEqual(summary);
  const applied = await sb.cli(['apply', '--auto-approve']);
  expect(applied.code, applied.stderr).toBe(0);
  lastApply = applied.stdout;
  if (n === 0) {
    expect(applied.stdout).not.toMatch(/Applying/);
  } else {
    const services = new Set(doc.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { service: string }) => c.service)).size;
    expect(applied.stdout).toContain(`Applying ${n} change${n === 1 ? '' : 's'} to ${services} service${services === 1 ? '' : 's'}...`);
    expect(applyCounts(applied.stdout)).toEqual(summary);
  }
  const after = await sb.cli(['plan', '--detailed-exitcode']);
  expect(after.code, after.stdout).toBe(0);
  return summary;
}

describe('plan, --json, exit codes and apply agree', () => {
  it('through a fresh install, a changed env var, a lost state.json and a removed service', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper));
    expect(await consistentRound()).toEqual({ add: 5, change: 0, replace: 0, destroy: 0 });

    // A changed env var: one plist changed, one job replaced; nothing added or destroyed.
    sb.writeSpec(spec(sleeper, 'debug'));
    expect(await consistentRound()).toEqual({ add: 0, change: 1, replace: 1, destroy: 0 });

    // state.json lost: nothing on the machine changes, and the plan says exactly that (one record per job).
    rmSync(join(sb.stateDir(), 'state.json'));
    const drift = await sb.cli(['drift']);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toMatch(/^No drift to report: nothing from this spec is recorded as applied here \(state\.json\)/);
    expect(drift.stdout).not.toMatch(/matches the last apply/);
    const plan = await sb.cli(['plan']);
    expect(plan.stdout).toMatch(/# daemon\.record will be recorded in state\.json \(lotusctl has no record of this job, but its plist and job already match lotus\.yaml/);
    const pid = (await sb.print('com.lotusctl.daemon')).pid;
    expect(await consistentRound()).toEqual({ add: 2, change: 0, replace: 0, destroy: 0 });
    expect(lastApply).toMatch(/^daemon: done \(recorded in state\.json\)$/m);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(pid);
    expect((await sb.cli(['drift'])).stdout).toMatch(/^No drift: the machine matches the last apply\./);

    // A removed service whose job and plist someone already removed: the record is dropped, visibly.
    await sb.launchctl(['bootout', `gui/${process.getuid?.() ?? 0}/com.lotusctl.helper`]);
    rmSync(sb.agentPlist('com.lotusctl.helper'));
    sb.writeSpec(spec(sleeper, 'debug').replace(/ {2}helper:\n(.*\n)*/, ''));
    expect((await sb.cli(['plan'])).stdout).toMatch(/# helper\.record will be dropped from state\.json/);
    expect(await consistentRound()).toEqual({ add: 0, change: 0, replace: 0, destroy: 1 });
    expect(Object.keys(sb.manifest().jobs)).toEqual(['com.lotusctl.daemon']);
    expect(lastApply).toMatch(/^helper: done \(dropped from state\.json\)$/m);

    // A log folder removed by hand: planned and actually created.
    rmSync(join(sb.home, 'Library/Logs/lotus'), { recursive: true });
    expect(await consistentRound()).toEqual({ add: 1, change: 0, replace: 0, destroy: 0 });
    expect(existsSync(join(sb.home, 'Library/Logs/lotus'))).toBe(true);
    expect(lastApply).toMatch(/^daemon: created .*\/Library\/Logs\/lotus$/m);
  }, 300_000);
});

describe('wording', () => {
  it('progress lines and drift lines say things once', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper));
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.stdout).toMatch(/^daemon: done \(running as pid \d+\)$/m);
    expect(r.stdout).not.toMatch(/\(running \(pid/);
    await sb.launchctl(['bootout', `gui/${process.getuid?.() ?? 0}/com.lotusctl.daemon`]);
    const drift = await sb.cli(['drift']);
    expect(drift.stdout).toMatch(/^ {2}- daemon \(com\.lotusctl\.daemon\): booted out \(unloaded\) outside lotusctl$/m);
    expect(drift.stdout.match(/com\.lotusctl\.daemon/g)).toHaveLength(1);
    const destroy = await sb.cli(['destroy', '--auto-approve']);
    expect(destroy.stdout).not.toMatch(/\(destroy\)/);
    expect(destroy.stdout).toMatch(/# daemon\.plist will be removed\n/);
  });
});
