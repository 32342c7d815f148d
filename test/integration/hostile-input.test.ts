// Issue 8 items 1-3 and the smaller ones, through the real CLI: secrets never shown, control characters refused with
// file:line:col and never echoed raw, every read capped and regular-files-only (nothing hangs), every number bounded.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAsApplied } from '../helpers/applied.js';
import { runCli } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

const SECRET = 'TOPSECRET-hunter2';
const DAEMON = 'com.lotusctl.daemon';
// What a terminal would act on; none of it may reach stdout or stderr raw.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

function spec(body: string): string {
  return sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: /bin/sleep\n    args: ["600"]\n${body}`);
}

function secretFile(name: string, content: string | Buffer, mode = 0o600): string {
  const p = sb.path(name);
  writeFileSync(p, content);
  chmodSync(p, mode);
  sb.chownToOperator(p); // the operator's secret: the CLI runs as the operator (test/fakes/launchctl/README.md)
  return p;
}

function mkfifo(p: string): string {
  execFileSync('mkfifo', [p]);
  return p;
}

/** Runs a command; the output must be free of raw terminal controls and of `never`, and never an internal error. */
async function cli(args: string[], never: string[] = [SECRET]) {
  const r = await sb.cli(args);
  const all = `${r.stdout}\n${r.stderr}`;
  for (const s of never) expect(all, `${args.join(' ')} leaked ${s}`).not.toContain(s);
  expect(all).not.toMatch(RAW_CONTROL);
  expect(all).not.toMatch(/error\[internal\]/);
  return r;
}

function json(stdout: string): { error?: { code: string; message: string; details?: string[] }; diagnostics?: Array<{ line: number; col: number; code: string; path: string; message: string }> } {
  return JSON.parse(stdout);
}

describe('1. a secret is never printed; control characters are refused at validate time, located', () => {
  it('a secret file with a control character: one file:line:col diagnostic naming the secret and file, never its content', async () => {
    const sec = secretFile('sec', `${SECRET}\u0001tail`);
    spec(`    secret_env: { TOKEN: { file: ${sec} } }\n`);
    for (const cmd of ['validate', 'plan', 'render', 'drift']) {
      const r = await cli([cmd]);
      expect(r.code, cmd).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0], cmd).toBe(`lotus.yaml:6:34  services.daemon.secret_env.TOKEN.file: the secret file ${sec} for TOKEN holds a character a launchd plist cannot carry (a control character other than tab, newline and carriage return) (remove it (od -c ${sec} shows it): launchd reads environment values from the plist, which is XML 1.0)`);
      expect(lines).toHaveLength(2);
    }
    for (const cmd of ['plan', 'drift']) {
      const r = await cli([cmd, '--json']);
      expect(r.code).toBe(1);
      const doc = json(r.stdout);
      expect(doc.error?.code).toBe('spec.invalid');
      expect(doc.error?.details?.[0]).toMatch(/^lotus\.yaml:6:34  services\.daemon\.secret_env\.TOKEN\.file: the secret file /);
    }
    const v = await cli(['validate', '--json']);
    expect(json(v.stdout).diagnostics?.[0]).toMatchObject({ line: 6, col: 34, code: 'spec.secret-invalid-character', path: 'services.daemon.secret_env.TOKEN.file' });
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
  });

  it.runIf(existsSync('/proc/self/environ'))('a secret pointing at /proc/self/environ shows none of the environment', async () => {
    spec('    secret_env: { TOKEN: { file: /proc/self/environ } }\n');
    const r = await cli(['validate'], ['CANARY-ENV-VALUE']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('services.daemon.secret_env.TOKEN.file: the secret file /proc/self/environ for TOKEN: not a regular file (it reports 0 bytes but has content, like a /proc file)');
  });

  it('control characters in args, env, paths, labels and plist_extra (at any depth, keys too) are each one located error', async () => {
    sb.writeSpec([
      'version: 1',
      'services:',
      '  daemon:',
      '    program: /bin/sleep',
      '    args: ["\\e[2J\\e]0;pwned\\a"]',
      '    env: { A: "x\\x01y" }',
      '    working_directory: "/tmp/\\x0b"',
      '    plist_extra:',
      '      LaunchEvents: { com.apple.x: { deep: ["ok", "\\x1b[31mred"] } }',
      '      WatchPaths: ["/ok", {"\\x1b": 1}]',
      'monitor: { label: "com.x\\x07" }',
      '',
    ].join('\n'));
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes('contains'))).toEqual([
      'lotus.yaml:5:12  services.daemon.args[0]: contains U+001B (ESC, which starts terminal escape sequences) at position 1 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
      'lotus.yaml:6:15  services.daemon.env.A: contains U+0001 (a control character) at position 2 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
      'lotus.yaml:7:24  services.daemon.working_directory: contains U+000B (a control character) at position 6 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
      'lotus.yaml:9:51  services.daemon.plist_extra.LaunchEvents.com.apple.x.deep[1]: contains U+001B (ESC, which starts terminal escape sequences) at position 1 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
      'lotus.yaml:10:28  services.daemon.plist_extra.WatchPaths[1].\\u001b: the key contains U+001B (ESC, which starts terminal escape sequences) at position 1 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
      'lotus.yaml:11:19  monitor.label: contains U+0007 (a control character) at position 6 (a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it)',
    ]);
    const j = await cli(['plan', '--json']);
    expect(j.code).toBe(1);
    expect(json(j.stdout).error?.code).toBe('spec.invalid');
    expect(json(j.stdout).error?.details).toHaveLength(6);
  });

  it('a key named __proto__ (env, plist_extra, at any depth) is a located error, not silently dropped from the plist', async () => {
    sb.writeSpec('version: 1\nservices:\n  daemon:\n    program: /bin/sleep\n    env:\n      __proto__: "x"\n    plist_extra:\n      LaunchEvents: { __proto__: { a: 1 } }\n');
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lotus.yaml:6:7  services.daemon.env.__proto__: the key "__proto__" cannot be carried into a plist by lotusctl (rename or remove it)');
    expect(r.stderr).toMatch(/lotus\.yaml:8:23  services\.daemon\.plist_extra\.LaunchEvents\.__proto__: the key "__proto__"/);
  });

  it('escape sequences in an unknown key or a bad value are shown escaped, in text and as JSON', async () => {
    sb.writeSpec('version: 1\nservices:\n  daemon:\n    program: /bin/sleep\n    "bogus\\e]0;title\\a": 1\n    nice: "\\u009b2J"\n');
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('services.daemon.bogus\\u001b]0;title\\u0007: the key contains U+001B');
    expect(r.stderr).toContain('services.daemon.nice: expected a number, got the string "\\u009b2J"');
    const j = await cli(['validate', '--json']);
    expect(j.stdout).toContain('\\u009b2J');
  });

  it('characters a plist can hold but a terminal acts on (C1, bidi overrides) render and are never printed raw', async () => {
    spec('    env: { A: "x\\u009b2Jy\\u202egnp.exe" }\n');
    const plan = await cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ A = "x\\u009b2Jy\\u202egnp.exe"');
    const render = await cli(['render']);
    expect(render.code).toBe(0);
    expect(render.stdout).toContain('<string>x&#x9B;2Jy&#x202E;gnp.exe</string>');
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    // What launchd received: the real characters, not the references.
    expect((await sb.print(DAEMON)).text).toContain('x\u009b2Jy\u202egnp.exe');
    expect((await cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a control character from the machine (the spec in such a folder) is a located error, not an internal one', async () => {
    const dir = sb.path('we\u0001ird');
    mkdirSync(dir);
    writeFileSync(join(dir, 'lotus.yaml'), 'version: 1\nservices:\n  daemon:\n    program: /bin/sleep\nmonitor: {}\n');
    const r = await cli(['plan', '-f', join(dir, 'lotus.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(':5:10  monitor: ProgramArguments[5] would hold a character a launchd plist cannot carry; it comes from this machine');
  });

  it('--json always prints a JSON document on failure: a usage error, an unreadable spec', async () => {
    const usage = await cli(['plan', '--json', '--no-such-flag']);
    expect(usage.code).toBe(1);
    expect(json(usage.stdout).error?.code).toBe('cli.unknown-option');
    const missing = await cli(['drift', '--json', '-f', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(json(missing.stdout).error?.code).toBe('spec.not-found');
  });
});

describe('2. every read is capped and regular-files-only; nothing hangs', () => {
  it('secret_env pointing at /dev/zero, a FIFO, or a 1 GB sparse file: a clear error each, at once', async () => {
    const fifo = mkfifo(sb.path('fifo'));
    const big = sb.path('big');
    writeFileSync(big, '');
    truncateSync(big, 1024 ** 3);
    spec(`    secret_env: { Z: { file: /dev/zero }, F: { file: ${fifo} }, B: { file: ${big} } }\n`);
    const r = await cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('services.daemon.secret_env.Z.file: the secret file /dev/zero for Z: not a regular file (a character device)');
    expect(r.stderr).toContain(`services.daemon.secret_env.F.file: the secret file ${fifo} for F: not a regular file (a FIFO)`);
    expect(r.stderr).toContain(`services.daemon.secret_env.B.file: the secret file ${big} for B: too large (1073741824 bytes, limit 65536 for a secret file)`);
    expect(r.stderr).not.toContain('cannot read');
  });

  it('a managed plist path that is a FIFO or a symlink to /dev/zero: drift reports it (exit 2), plan shows the rewrite, apply replaces it', async () => {
    spec('');
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    const plist = sb.agentPlist(DAEMON);
    const zero = statSync('/dev/zero');
    for (const [make, what] of [[() => mkfifo(plist), 'a FIFO'], [() => symlinkSync('/dev/zero', plist), 'a symlink to a character device']] as const) {
      rmSync(plist, { force: true });
      make();
      const d = await cli(['drift', '--json']);
      expect(d.code, d.stdout + d.stderr).toBe(2);
      expect(JSON.parse(d.stdout).drift).toEqual([expect.objectContaining({ service: 'daemon', kind: 'plist-edited', message: expect.stringContaining(`is not a valid plist (not a regular file (${what}))`) })]);
      const p = await cli(['plan', '--json', '--detailed-exitcode']);
      expect(p.code, p.stderr).toBe(2);
      expect(JSON.parse(p.stdout).changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => [c.address, c.action]))
        .toEqual([['daemon.plist', 'update'], ['daemon.job', 'replace']]);
      const a = await cli(['apply', '--auto-approve']);
      expect(a.code, a.stdout + a.stderr).toBe(0);
      // The entry was replaced by the plist; what a symlink pointed at is untouched.
      expect(lstatSync(plist).isFile()).toBe(true);
      expect((await cli(['drift'])).code).toBe(0);
      expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);
    }
    const after = statSync('/dev/zero');
    expect([after.isCharacterDevice(), after.mode, after.uid, after.rdev]).toEqual([true, zero.mode, zero.uid, zero.rdev]);
    // destroy removes a FIFO planted there too (there is nothing to back up).
    rmSync(plist);
    mkfifo(plist);
    const gone = await cli(['destroy', '--auto-approve']);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect(existsSync(plist)).toBe(false);
  });

  it('import of a FIFO: one clear error saying what it is, at once', async () => {
    const fifo = mkfifo(sb.path('job.plist'));
    const r = await cli(['import', fifo, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[import.invalid-plist]: ${fifo} is not a readable property list (XML or binary): not a regular file (a FIFO)`);
  });

  it('a folder at the managed plist path: plan and drift stop with one clear error (apply could not replace it)', async () => {
    spec('');
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    const plist = sb.agentPlist(DAEMON);
    rmSync(plist);
    mkdirSync(plist);
    for (const cmd of ['plan', 'drift']) {
      const r = await cli([cmd]);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`error[fs.not-a-file]: ${plist}: not a regular file (a directory)`);
    }
    rmSync(plist, { recursive: true });
    expect((await cli(['destroy', '--auto-approve'])).code).toBe(0);
  });

  it('doctor with a FIFO, a symlink to /dev/zero or a folder at a plist path: a failed check for that service, the others still run; --fix leaves /dev/zero alone', async () => {
    sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: /bin/sleep\n    args: ["600"]\n  miner:\n    program: /bin/sleep\n    args: ["600"]\n`);
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    const plist = sb.agentPlist(DAEMON);
    const zero = statSync('/dev/zero');
    const cases = [[() => mkfifo(plist), 'not a regular file (a FIFO)'], [() => symlinkSync('/dev/zero', plist), 'not a regular file (a symlink to a character device)'],
      [() => mkdirSync(plist), 'not a regular file (a directory)']] as const;
    for (const [make, what] of cases) {
      rmSync(plist, { recursive: true, force: true });
      make();
      for (const args of [['doctor', '--json'], ['doctor', '--json', '--fix']]) {
        const r = await cli(args);
        expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(1);
        const doc = JSON.parse(r.stdout) as { groups: Array<{ group: string; checks: Array<{ id: string; level: string; message: string }> }> };
        const daemon = doc.groups.find((g) => g.group === 'daemon')?.checks ?? [];
        expect(daemon.find((c) => c.id === 'plist.exists')).toMatchObject({ level: 'fail', message: `${plist} is ${what}: launchd cannot load it` });
        // Nothing about the owner or mode of what the path points at, and the other checks of the service still ran.
        expect(daemon.map((c) => c.id)).not.toContain('plist.mode');
        expect(daemon.map((c) => c.id)).toEqual(expect.arrayContaining(['program.path', 'launchd.loaded']));
        expect(doc.groups.find((g) => g.group === 'miner')?.checks.find((c) => c.id === 'plist.exists')).toMatchObject({ level: 'ok' });
      }
      const t = await cli(['doctor']);
      expect(t.stdout).toContain(`FAIL  plist.exists        ${plist} is ${what}: launchd cannot load it`);
    }
    const after = statSync('/dev/zero');
    expect([after.mode, after.uid]).toEqual([zero.mode, zero.uid]);
    rmSync(plist, { recursive: true });
    expect((await cli(['destroy', '--auto-approve'])).code).toBe(0);
  });

  it('logs, status, doctor and the monitor with a FIFO where a log or a samples file should be: a clear answer, no hang', async () => {
    const logs = sb.path('logs');
    mkdirSync(logs);
    mkfifo(join(logs, 'daemon.err.log'));
    const file = spec(`    logs: { dir: ${logs} }\nmonitor: {}\n`);
    recordAsApplied(file, { ...process.env, ...sb.env });
    const l = await cli(['logs', 'daemon', '--stderr']);
    expect(l.code).toBe(1);
    expect(l.stderr).toContain(`error[logs.unreadable]: ${join(logs, 'daemon.err.log')}: not a regular file (a FIFO)`);
    const samples = join(sb.stateDir(), 'samples', `${new Date().toISOString().slice(0, 10)}.jsonl`);
    mkdirSync(join(sb.stateDir(), 'samples'), { recursive: true });
    mkfifo(samples);
    sb.chownToOperator(logs); // the operator's folders, as the monitor and launchd would have made them
    sb.chownToOperator(join(sb.home, 'Library'));
    // status: the samples cannot be read, which is not "the monitor has not sampled it yet".
    const st = await cli(['status', '--json']);
    expect(st.code, st.stderr).toBe(2);
    const daemon = JSON.parse(st.stdout).services.find((r: { service: string }) => r.service === 'daemon');
    expect(daemon.health).toMatchObject({ status: 'unknown', summary: expect.stringContaining(`the monitor's samples cannot be read (${samples}: fs.not-a-file)`) });
    const doc = await cli(['doctor', '--json']);
    const checks = JSON.parse(doc.stdout).groups.flatMap((g: { checks: unknown[] }) => g.checks);
    expect(checks).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'logs.stderr', level: 'fail', message: expect.stringContaining('is not a regular file') }),
      expect.objectContaining({ id: 'monitor.ticking', level: 'fail', message: expect.stringContaining(`unreadable: ${samples}: fs.not-a-file`) }),
    ]));
    // The monitor: one clear error for the samples, the round still ends (metrics, tick line), exit 1; the FIFO stays.
    const m = await cli(['monitor', 'run', '--once']);
    expect(m.code, m.stdout + m.stderr).toBe(1);
    const lines = m.stdout.trim().split('\n').map((x) => JSON.parse(x));
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'samples-failed', level: 'error', code: 'monitor.samples-not-a-file', msg: `cannot record samples: ${samples} is not a regular file (a FIFO); no samples are recorded there` }),
      expect.objectContaining({ event: 'tick' }),
    ]));
    expect(existsSync(join(sb.stateDir(), 'metrics.prom'))).toBe(true);
    expect(lstatSync(samples).isFIFO()).toBe(true);
    const rep = await cli(['report', '--print']);
    expect(rep.code).toBe(1);
    expect(rep.stderr).toContain(`error[fs.not-a-file]: ${samples}: not a regular file (a FIFO)`);
  });

  it('a FIFO as state.json: plan, drift and the monitor give one clear error; status and doctor still answer', async () => {
    const file = spec('monitor: {}\n');
    recordAsApplied(file, { ...process.env, ...sb.env });
    const state = join(sb.stateDir(), 'state.json');
    rmSync(state);
    mkfifo(state);
    sb.chownToOperator(join(sb.home, 'Library'));
    for (const cmd of ['plan', 'drift']) {
      const r = await cli([cmd]);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`error[state.unreadable]: cannot read ${state}: not a regular file (a FIFO)`);
    }
    const m = await cli(['monitor', 'run', '--once']);
    expect(m.code).toBe(1);
    expect(m.stdout.trim().split('\n').map((x) => JSON.parse(x))).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'tick-failed', code: 'state.unreadable' })]));
    expect((await cli(['status'])).code).not.toBe(1);
    expect((await cli(['doctor'])).stdout).toContain('plist.exists');
  });

  it('plan --stdin stops reading at the spec cap', async () => {
    const r = await runCli(['plan', '--stdin', '--json'], { env: sb.env, cwd: sb.root, input: `version: 1\n# ${'x'.repeat(2 * 1024 * 1024)}\n` });
    expect(r.code).toBe(1);
    expect(json(r.stdout).error).toMatchObject({ code: 'spec.too-large', message: 'the spec on standard input is too large (more than 1048576 bytes, limit 1048576 for a spec)' });
  });

  it('a spec that is a FIFO, a plan file that is huge: refused with the reason', async () => {
    const fifo = mkfifo(sb.path('spec.fifo'));
    const s = await cli(['validate', '-f', fifo]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`error[spec.not-a-file]: ${fifo}: not a regular file (a FIFO)`);
    const plan = sb.path('huge.plan');
    writeFileSync(plan, '');
    truncateSync(plan, 100 * 1024 * 1024);
    const a = await cli(['apply', plan]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain(`error[plan.file-unreadable]: cannot use the plan file ${plan}: too large (104857600 bytes, limit 16777216 for a plan file)`);
  });
});

describe('3. every duration, size and count is bounded', () => {
  it('exit_timeout past 2^31-1 seconds fails validation at its line:col with the bound; no 1e+23 reaches a plist', async () => {
    spec('    exit_timeout: "99999999999999999999999s"\n');
    for (const cmd of ['validate', 'plan', 'apply']) {
      const r = await cli(cmd === 'apply' ? [cmd, '--auto-approve'] : [cmd]);
      expect(r.code, cmd).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe('lotus.yaml:6:19  services.daemon.exit_timeout: too long: at most 24855d3h14m7s (2^31-1 seconds, the longest launchd stores), got "99999999999999999999999s"');
    }
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
  });

  it('sizes, counts, plist_extra numbers and monitor settings past their bounds are located errors', async () => {
    spec([
      '    limits: { open_files: { soft: 99999999999 }, core: { hard: 99999999TiB } }',
      'monitor:',
      '  schedule: 30d',
      '  backoff: { max: 999999999999d }',
      '  circuit_breaker: { window: 99999999999999w, max_restarts: 9999999999 }',
      '  log_rotation: { max_size: 10, keep: 1000 }',
      '  samples_retention: 12h',
      '',
    ].join('\n'));
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    const got = r.stderr.trim().split('\n').slice(0, -1);
    expect(got).toEqual([
      'lotus.yaml:6:35  services.daemon.limits.open_files.soft: must be at most 2147483647, got number 99999999999',
      'lotus.yaml:6:64  services.daemon.limits.core.hard: too big: at most 9007199254740991 bytes (2^53-1, the largest exact integer), got "99999999TiB"',
      'lotus.yaml:8:13  monitor.schedule: too long: an interval is at most 24d (timers hold 2^31-1 ms); use a cron expression such as "0 0 1 * *" for rarer runs, got "30d"',
      'lotus.yaml:9:19  monitor.backoff.max: too long: at most 24855d3h14m7s (2^31-1 seconds, the longest launchd stores), got "999999999999d"',
      'lotus.yaml:10:30  monitor.circuit_breaker.window: too long: at most 24855d3h14m7s (2^31-1 seconds, the longest launchd stores), got "99999999999999w"',
      'lotus.yaml:10:61  monitor.circuit_breaker.max_restarts: must be at most 2147483647, got number 9999999999',
      'lotus.yaml:11:29  monitor.log_rotation.max_size: must be at least 1KiB',
      'lotus.yaml:11:39  monitor.log_rotation.keep: must be at most 100, got number 1000',
      'lotus.yaml:12:22  monitor.samples_retention: must be at least 1d (a report covers a day)',
    ]);
  });

  it('plist_extra numbers: whole, within 2^53-1, top-level integer keys within 2^31-1', async () => {
    spec('    plist_extra: { StartInterval: 1e23, LaunchEvents: { x: { y: 1.5 } } }\n');
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').slice(0, -1)).toEqual([
      'lotus.yaml:6:35  services.daemon.plist_extra.StartInterval: 1e+23 is too big for a plist integer here (at most 9007199254740991) (see launchd.plist(5))',
      'lotus.yaml:6:65  services.daemon.plist_extra.LaunchEvents.x.y: 1.5 is not a whole number; launchd keys take integers (see launchd.plist(5))',
    ]);
    spec('    plist_extra: { StartInterval: 4294967296 }\n');
    expect((await cli(['validate'])).stderr).toContain('services.daemon.plist_extra.StartInterval: must be between 0 and 2147483647 (launchd keeps it as a 32-bit integer), got 4294967296');
  });

  it('report --window past ten years is a clean cli.bad-window; monitor run --schedule and status --interval past 24d are refused', async () => {
    spec('');
    const r = await cli(['report', '--print', '--window', '99999999999d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error[cli.bad-window]: --window 99999999999d is longer than 3660d (ten years)\nhint: use e.g. --window 30d\n');
    const m = await cli(['monitor', 'run', '--schedule', '25d']);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('error[monitor.bad-schedule]: schedule "25d" is longer than 24d');
    const s = await cli(['status', '--watch', '--interval', '30d']);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('error[cli.bad-interval]: --interval 30d is not a duration between 500ms and 24d');
  });
});

describe('smaller: messages that say what is wrong', () => {
  it('a missing version says "is required (add version: 1)"; a wrong one "expected 1, got 2"', async () => {
    sb.writeSpec('services:\n  daemon:\n    program: /bin/sleep\n');
    expect((await cli(['validate'])).stderr.split('\n')[0]).toBe('lotus.yaml:1:1  version: is required (add version: 1)');
    sb.writeSpec('version: 2\nservices:\n  daemon:\n    program: /bin/sleep\n');
    expect((await cli(['validate'])).stderr.split('\n')[0]).toBe('lotus.yaml:1:10  version: expected 1, got 2');
  });

  it('a 260-character label is "too long (260 characters, at most 249)"', async () => {
    spec(`    label: ${'a'.repeat(260)}\n`);
    const r = await cli(['validate']);
    expect(r.stderr.split('\n')[0]).toBe('lotus.yaml:6:12  services.daemon.label: too long (260 characters, at most 249) (the plist file is named <label>.plist, and a file name holds at most 255 bytes)');
  });

  it('a secret file others can read is a warning with a chmod 600 hint; 0600 is not', async () => {
    const sec = secretFile('token', 'value\n', 0o644);
    spec(`    secret_env: { TOKEN: { file: ${sec} } }\n`);
    const r = await cli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`lotus.yaml:6:34  services.daemon.secret_env.TOKEN.file: warning: the secret file ${sec} for TOKEN can be read by every user on this Mac (mode 0644) (chmod 600 ${sec})\n`);
    chmodSync(sec, 0o640);
    expect((await cli(['validate'])).stderr).toContain('can be read by its group (mode 0640)');
    chmodSync(sec, 0o600);
    expect((await cli(['validate'])).stderr).toBe('');
    expect((await cli(['validate', '--strict'])).code).toBe(0);
  });
});

describe('log growth: the monitor rotates the logs launchd writes and prunes old samples', () => {
  it('copies a log past max_size to <log>.1, truncates it in place, keeps `keep` copies; deletes samples past retention', async () => {
    const logs = sb.path('logs');
    const file = spec(`    logs: { dir: ${logs} }\nmonitor:\n  log_rotation: { max_size: 1KiB, keep: 2 }\n  samples_retention: 2d\n`);
    // The monitor watches what was applied (state.json), so record the spec as applied.
    recordAsApplied(file, { ...process.env, ...sb.env });
    mkdirSync(logs, { recursive: true });
    const err = join(logs, 'daemon.err.log');
    const samples = join(sb.stateDir(), 'samples');
    mkdirSync(samples, { recursive: true });
    writeFileSync(join(samples, '2020-01-01.jsonl'), '{}\n');
    writeFileSync(join(samples, 'notes.txt'), 'kept: not a day file\n');
    sb.chownToOperator(logs); // what launchd and the monitor write there is the operator's
    sb.chownToOperator(join(sb.home, 'Library'));
    for (const round of [1, 2, 3]) {
      writeFileSync(err, `round ${round}\n${'x'.repeat(2048)}\n`);
      sb.chownToOperator(err);
      const r = await cli(['monitor', 'run', '--once']);
      expect(r.stdout).toContain('"event":"log-rotated"');
      expect(readdirSync(logs).filter((f) => f.startsWith('daemon.err.log')).sort()).toEqual(
        round === 1 ? ['daemon.err.log', 'daemon.err.log.1'] : ['daemon.err.log', 'daemon.err.log.1', 'daemon.err.log.2'],
      );
      expect(execFileSync('cat', [err]).length).toBe(0);
      expect(execFileSync('head', ['-1', `${err}.1`]).toString()).toBe(`round ${round}\n`);
    }
    expect(execFileSync('head', ['-1', `${err}.2`]).toString()).toBe('round 2\n');
    // A small log is left alone; the old day file is gone, today's and the stranger stay.
    writeFileSync(err, 'small\n');
    sb.chownToOperator(err);
    const quiet = await cli(['monitor', 'run', '--once']);
    expect(quiet.stdout).not.toContain('"event":"log-rotated"');
    const left = readdirSync(samples).sort();
    expect(left).not.toContain('2020-01-01.jsonl');
    expect(left).toContain('notes.txt');
    expect(left.some((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))).toBe(true);
  });
});
