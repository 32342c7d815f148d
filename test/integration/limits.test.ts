// Resource limits against the Mac (issue 9, item 8): in a LaunchDaemon NumberOfFiles is machine-wide (a warning);
// open_files above kern.maxfilesperproc is refused when that is known, and said to be unchecked when it is not; and a
// job whose NumberOfFiles the kernel clamped is as lotusctl left it, not drift that a reload would "fix" on every plan.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  if (sb) expect(await sb.stop()).toEqual([]);
  sb = undefined;
});

const sleeperSpec = (s: Sandbox, extra: string): string =>
  `version: 1\nservices:\n  node:\n    program: ${s.script('sleeper', 'exec sleep 600')}\n    throttle_interval: 1s\n${extra}`;

describe('open_files', () => {
  it('in a LaunchDaemon it is machine-wide (warning); above kern.maxfilesperproc it is refused, and nothing is changed', async () => {
    sb = new Sandbox({ FAKE_SYSCTL_MAXFILESPERPROC: '24576' });
    sb.writeSpec(sleeperSpec(sb, '    domain: system\n    limits: { open_files: { soft: 16384, hard: 65536 } }\n'));
    const v = await sb.cli(['validate']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/services\.node\.limits\.open_files: warning: in a LaunchDaemon, NumberOfFiles also sets kern\.maxfiles \(soft\) and kern\.maxfilesperproc \(hard\) for the whole machine/);
    expect(v.stderr).toMatch(/services\.node\.limits\.open_files\.hard: open_files hard 65536 is above this Mac's kern\.maxfilesperproc \(24576\)/);
    expect(v.stderr).not.toMatch(/open_files soft 16384 is above/);
    const plan = await sb.cli(['plan']);
    expect(plan.code).toBe(1);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toContain('hard: 65536');
    expect((await sb.print('com.lotusctl.node', 'system')).loaded).toBe(false);
  });

  it('where kern.maxfilesperproc cannot be read, validate says it could not check, and a limit the kernel clamped is not drift on the next plans', async () => {
    // The Mac clamps NumberOfFiles to 12000 (numbers kept under the test host's own hard limit); lotusctl cannot read that (no sysctl answer here).
    sb = new Sandbox({ FAKE_LAUNCHD_MAXFILESPERPROC: '12000' });
    sb.writeSpec(sleeperSpec(sb, '    limits: { open_files: { soft: 8192, hard: 16384 } }\n'));
    const v = await sb.cli(['validate']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/services\.node\.limits\.open_files: note: kern\.maxfilesperproc is unknown here \(sysctl -n kern\.maxfilesperproc failed: sysctl: unknown oid 'kern\.maxfilesperproc'\): lotusctl cannot check open_files against it, and refuses nothing/);
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await sb.print('com.lotusctl.node')).text).toMatch(/maxfiles \(hard\) => 12000/);
    for (let i = 0; i < 2; i++) {
      const plan = await sb.cli(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout).toBe(0);
    }
    expect((await sb.cli(['drift'])).code).toBe(0);
  });
});
