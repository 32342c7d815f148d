// Issue 8.5 (a saved plan is verified before anything runs) and 8.10 (plan --out never overwrites the spec).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../src/plan/digest.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

type PlanDoc = { kind: string; format_version: number; digest: string; plan: { steps: Array<Record<string, any>>; changes: unknown[]; stateDir: string } };

/** Edit a saved plan; `forge` recomputes its digest, as someone who read the format would. */
function edit(file: string, fn: (doc: PlanDoc) => void, forge = true): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as PlanDoc;
  fn(doc);
  if (forge) doc.digest = sha256(canonicalJson(doc.plan));
  writeFileSync(file, JSON.stringify(doc));
}

function setWrite(step: Record<string, any>, text: string) {
  const digest = sha256(text);
  step.plist = { ...step.plist, text, digest };
  step.digest = digest;
}

describe('a saved plan is verified before anything runs', () => {
  const profile = () => join(sb.home, '.profile');

  async function saved(name = 'tfplan') {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    logs: { dir: ~/Library/Logs/lotus }\n    throttle_interval: 1s\n`);
    writeFileSync(profile(), 'export PATH=$HOME/bin:$PATH\n');
    const r = await sb.cli(['plan', '--out', name]);
    expect(r.code, r.stderr).toBe(0);
    return sb.path(name);
  }

  async function refused(file: string, message: RegExp) {
    const r = await sb.cli(['apply', file]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: nothing was done/);
    expect(readFileSync(profile(), 'utf8')).toBe('export PATH=$HOME/bin:$PATH\n');
    expect(existsSync(sb.agentPlist('com.lotusctl.daemon'))).toBe(false);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
  }

  it('an edit without a new digest is refused', async () => {
    const f = await saved();
    edit(f, (d) => (d.plan.steps[0]!.plistPath = profile()), false);
    await refused(f, /^error\[plan\.file-integrity\]: .*tfplan was changed after lotusctl saved it/m);
  });

  it('a forged plistPath ($HOME/.profile) is refused, even with a recomputed digest', async () => {
    const f = await saved();
    edit(f, (d) => (d.plan.steps[0]!.plistPath = profile()));
    await refused(f, /^error\[plan\.file-integrity\]: .*step daemon: plist path .*\/\.profile is not .*\/Library\/LaunchAgents\/com\.lotusctl\.daemon\.plist/m);
  });

  it('forged plist bytes (not what its change shows) are refused', async () => {
    const f = await saved();
    edit(f, (d) => setWrite(d.plan.steps[0]!, String(d.plan.steps[0]!.plist.text).replace('<key>RunAtLoad</key>', '<key>Program</key><string>/bin/evil</string><key>RunAtLoad</key>')));
    await refused(f, /step daemon: the plist it would write is not the one its change shows/);
  });

  it('bytes that do not match their digest are refused', async () => {
    const f = await saved();
    edit(f, (d) => (d.plan.steps[0]!.plist.text = String(d.plan.steps[0]!.plist.text).replace('sleeper', 'sleepy')));
    await refused(f, /step daemon: the plist bytes do not match their digest/);
  });

  it('a forged folder is refused', async () => {
    const f = await saved();
    edit(f, (d) => d.plan.steps[0]!.directories.push(join(sb.home, '.ssh/evil')));
    await refused(f, /step daemon creates the folder .*\/\.ssh\/evil, which is not a log folder of its plist/);
    expect(existsSync(join(sb.home, '.ssh'))).toBe(false);
  });

  it('a step with no change to show for it is refused', async () => {
    const f = await saved();
    edit(f, (d) => (d.plan.changes = []));
    await refused(f, /step daemon is not shown as a change/);
  });

  it('forged leftovers (files apply would remove) are refused unless they are lotusctl\'s own, where it writes', async () => {
    const f = await saved();
    const notes = sb.path('.notes.txt.4194000.0123456789ab.tmp'); // lotusctl's temporary-file name, outside its folders
    writeFileSync(notes, 'mine\n');
    const forge = async (leftover: Record<string, unknown>, message: RegExp) => {
      edit(f, (d) => ((d.plan as Record<string, unknown>).leftovers = [{ pid: 4194000, message: 'm', ...leftover }]));
      await refused(f, message);
    };
    await forge({ kind: 'temp-file', path: notes }, /leftover temp-file .* is not in a folder lotusctl writes/);
    await forge({ kind: 'temp-file', path: profile() }, /leftover temp-file .*\.profile" is not named as lotusctl names its temporary files/);
    await forge({ kind: 'journal-entry', path: profile() }, /leftover journal-entry .*\.profile" is not a journal entry of /);
    await forge({ kind: 'stale-lock', path: profile() }, /leftover stale-lock .*\.profile" is not the state lock of /);
    await forge({ kind: 'temp-file', path: `${sb.home}/Library/LaunchAgents/../../../x/.y.4194000.0123456789ab.tmp` }, /is not a plain absolute path/);
    expect(readFileSync(notes, 'utf8')).toBe('mine\n');
  });

  it('a saved plan cleans up what a crashed run left, as a plain apply does', async () => {
    const f0 = await saved('first');
    expect((await sb.cli(['apply', f0])).code).toBe(0);
    // A temporary file of a writer that is gone (a pid that existed and has exited).
    const gone = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '']);
      c.on('exit', () => resolve(c.pid as number));
    });
    const tmp = join(sb.home, 'Library/LaunchAgents', `.com.lotusctl.daemon.plist.${gone}.0123456789ab.tmp`);
    writeFileSync(tmp, '<?xml');
    const p = await sb.cli(['plan', '--out', 'second', '--detailed-exitcode']);
    expect(p.code, p.stderr).toBe(2);
    expect(p.stdout).toContain(`${tmp}: temporary file of lotusctl pid ${gone}, which is no longer running; apply removes it`);
    const r = await sb.cli(['apply', sb.path('second')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed ${tmp}, a temporary file of lotusctl pid ${gone}`);
    expect(existsSync(tmp)).toBe(false);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('an untouched saved plan applies', async () => {
    const f = await saved();
    const r = await sb.cli(['apply', f]);
    expect(r.code, r.stderr).toBe(0);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBeGreaterThan(0);
  });
});

describe('plan --out writes only a new file or a lotusctl plan file', () => {
  it('refuses the spec itself and any other existing file; replaces an old plan', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const text = `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n`;
    sb.writeSpec(text);
    const spec = await sb.cli(['plan', '--out', 'lotus.yaml']);
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(/^error\[plan\.out-is-spec\]: --out lotus\.yaml is the spec file itself/m);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe(text);
    expect(spec.stdout).toBe('');

    writeFileSync(sb.path('notes.txt'), 'mine\n');
    const other = await sb.cli(['plan', '--out', 'notes.txt']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error\[plan\.out-exists\]: --out notes\.txt exists and is not a lotusctl plan file/m);
    expect(readFileSync(sb.path('notes.txt'), 'utf8')).toBe('mine\n');

    writeFileSync(sb.path('tfplan'), ''); // an empty file (mktemp) has nothing to lose
    expect((await sb.cli(['plan', '--out', 'tfplan'])).code).toBe(0);
    const again = await sb.cli(['plan', '--out', 'tfplan']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(sb.path('tfplan'), 'utf8')).kind).toBe('lotusctl-plan');
  });
});
