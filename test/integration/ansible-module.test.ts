// The lotusctl.macos.node module under real ansible-playbook (localhost, connection local), against the launchctl
// double and the fake lotus of the sandbox. Each playbook run costs seconds: one sandbox walks the whole life cycle.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ansiblePlaybook, lotusctlWrapper, treeSnapshot } from '../helpers/ansible.js';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

const uid = process.getuid?.() ?? 0;
const DAEMON = 'com.lotusctl.daemon';
const playbook = (name: string) => join(repoRoot, 'test/fixtures/ansible', name);
// Five playbook runs with a real Lotus start: a loaded 2-core box needs minutes, not the default minute.
const SLOW = { timeout: 300_000 };

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

describe('lotusctl.macos.node under ansible-playbook', () => {
  it('check mode touches nothing; apply is changed once, then not; hand-made drift is shown (--diff) and repaired', SLOW, async () => {
    const specPath = join(sb.home, 'lotus.yaml');
    const specText = Sandbox.lotusDaemonSpec();
    const vars = { spec_path: specPath, spec_text: specText, lotusctl: lotusctlWrapper(sb), sandbox_env: sb.env };
    const node = playbook('node.yml');

    // A fresh Mac in check mode: the plan has changes, and not a file appears (not even lotus.yaml).
    const before = treeSnapshot(sb.home);
    const check = await ansiblePlaybook(sb, node, vars, ['--check']);
    expect(check.recap, check.output).toMatchObject({ changed: 1, failed: 0 });
    expect(treeSnapshot(sb.home)).toEqual(before);
    expect((await sb.print(DAEMON)).loaded).toBe(false);

    const first = await ansiblePlaybook(sb, node, vars);
    expect(first.recap, first.output).toMatchObject({ changed: 1, failed: 0 });
    expect(readFileSync(specPath, 'utf8')).toBe(specText);
    expect(statSync(specPath).mode & 0o777).toBe(0o600);
    const running = await sb.print(DAEMON);
    expect(running.pid).toBeGreaterThan(0);
    expect(existsSync(join(sb.home, '.lotus/api'))).toBe(true);

    const second = await ansiblePlaybook(sb, node, vars);
    expect(second.recap, second.output).toMatchObject({ changed: 0, failed: 0 });
    const still = await sb.print(DAEMON);
    expect({ pid: still.pid, runs: still.runs }).toEqual({ pid: running.pid, runs: running.runs });

    // Drift by hand: the job booted out, the plist edited. Check mode shows lotusctl's plan text and changes nothing.
    await sb.launchctl(['bootout', `gui/${uid}/${DAEMON}`]);
    const plist = sb.agentPlist(DAEMON);
    writeFileSync(plist, readFileSync(plist, 'utf8').replace('<integer>60</integer>', '<integer>7</integer>'));
    const drifted = treeSnapshot(sb.home);
    const look = await ansiblePlaybook(sb, node, vars, ['--check', '--diff']);
    expect(look.recap, look.output).toMatchObject({ changed: 1, failed: 0 });
    expect(look.stdout).toMatch(/Drift: changes made outside lotusctl/);
    expect(look.stdout).toMatch(/ExitTimeOut = 7 \(7s\) -> 60 \(1m\)/);
    expect(look.stdout).toMatch(/Plan: \d+ to add, \d+ to change, \d+ to replace, \d+ to destroy\./);
    expect(treeSnapshot(sb.home)).toEqual(drifted);
    expect((await sb.print(DAEMON)).loaded).toBe(false);

    const repair = await ansiblePlaybook(sb, node, vars, ['--diff']);
    expect(repair.recap, repair.output).toMatchObject({ changed: 1, failed: 0 });
    expect(repair.stdout).toMatch(/ExitTimeOut = 7 \(7s\) -> 60 \(1m\)/);
    expect(readFileSync(plist, 'utf8')).toContain('<integer>60</integer>');
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);
    expect((await sb.cli(['drift', '-f', specPath])).code).toBe(0);
  });

  it('fails with lotusctl\'s error: a broken spec (file:line:col, nothing written) and a plan gone stale before apply', SLOW, async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const inlinePath = join(sb.home, 'inline.yaml');
    const brokenPath = sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    exit_timout: 5s\n`, 'broken.yaml');
    const goodPath = sb.writeSpec(`version: 1\nservices:\n  racer:\n    program: ${sleeper}\n    throttle_interval: 1s\n`, 'good.yaml');
    // A lotusctl through which the machine changes between plan and apply: a plist appears by hand.
    const racer = sb.agentPlist('com.lotusctl.racer');
    const racing = sb.script('racing-lotusctl', [
      `if [ "$1" = apply ]; then mkdir -p "$(dirname '${racer}')" && printf 'by hand' > '${racer}'; fi`,
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"`,
    ].join('\n'));
    const results = sb.path('results.json');
    const r = await ansiblePlaybook(sb, playbook('failures.yml'), {
      inline_path: inlinePath, broken_path: brokenPath, good_path: goodPath, sleeper, results,
      lotusctl: lotusctlWrapper(sb), racing_lotusctl: racing, sandbox_env: sb.env,
    });
    expect(r.recap, r.output).toMatchObject({ failed: 0, ignored: 3 });
    const out = JSON.parse(readFileSync(results, 'utf8'));

    // The inline spec is written as JSON after a one-line header: "progam" is on line 6, column 7. It never reaches the disk.
    expect(out.inline).toMatchObject({ failed: true, changed: false, code: 'spec.invalid' });
    expect(out.inline.msg).toContain(`${inlinePath}:6:7  services.daemon.progam: unknown key "progam"`);
    expect(out.inline.hint).toMatch(/lotusctl validate/);
    expect(existsSync(inlinePath)).toBe(false);

    expect(out.file).toMatchObject({ failed: true, changed: false, code: 'spec.invalid' });
    expect(out.file.msg).toContain(`${brokenPath}:5:5  services.daemon.exit_timout: unknown key "exit_timout"`);
    expect(out.file.error).toMatchObject({ code: 'spec.invalid', details: [expect.stringContaining(':5:5')] });

    expect(out.stale).toMatchObject({ failed: true, changed: false, code: 'plan.stale' });
    expect(out.stale.msg).toMatch(/error\[plan\.stale\]: the plan is stale: the machine changed since it was made/);
    expect(out.stale.hint).toMatch(/run lotusctl plan again/);
    expect(readFileSync(racer, 'utf8')).toBe('by hand');
    expect((await sb.print('com.lotusctl.racer')).loaded).toBe(false);
  });
});
