import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';
import { CliProcess } from '../helpers/spawn-cli.js';

let sb: Sandbox;
let proc: CliProcess | undefined;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  proc?.kill();
  proc = undefined;
  expect(await sb.stop()).toEqual([]);
});

// logs reads lotus.yaml and the files only: no job has to run, so the tests write the logs themselves.
const SPEC = `version: 1
services:
  daemon:
    program: /bin/sh
    logs: { dir: logs }
  miner:
    program: /bin/sh
monitor:
  schedule: 30s
`;

const logDir = () => sb.path('logs');
const out = () => join(logDir(), 'daemon.out.log');
const err = () => join(logDir(), 'daemon.err.log');
const monitorLog = () => join(sb.home, 'Library/Logs/lotusctl/monitor.out.log');

describe('lotusctl logs', () => {
  it('tails stdout and stderr interleaved by time and labelled; --stderr alone is unlabelled; -n bounds it', async () => {
    sb.writeSpec(SPEC);
    mkdirSync(logDir());
    writeFileSync(out(), '2026-08-06T10:00:01.000Z\tINFO\tmain\tout one\n2026-08-06T10:00:03.000Z\tINFO\tmain\tout two\n');
    writeFileSync(err(), '2026-08-06T10:00:02.000Z\tERROR\tmain\terr one\n2026-08-06T10:00:04.000Z\tWARN\tmain\terr two\n');
    const r = await sb.cli(['logs', 'daemon', '-n', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'daemon/stderr | 2026-08-06T10:00:02.000Z\tERROR\tmain\terr one',
      'daemon/stdout | 2026-08-06T10:00:03.000Z\tINFO\tmain\tout two',
      'daemon/stderr | 2026-08-06T10:00:04.000Z\tWARN\tmain\terr two',
    ]);
    const e = await sb.cli(['logs', 'daemon', '--stderr', '-n', '1']);
    expect(e.stdout).toBe('2026-08-06T10:00:04.000Z\tWARN\tmain\terr two\n');
    const j = await sb.cli(['logs', 'daemon', '-n', '2', '--json']);
    expect(j.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { format_version: '1', service: 'daemon', stream: 'stdout', path: out(), time: '2026-08-06T10:00:03.000Z', line: '2026-08-06T10:00:03.000Z\tINFO\tmain\tout two' },
      { format_version: '1', service: 'daemon', stream: 'stderr', path: err(), time: '2026-08-06T10:00:04.000Z', line: '2026-08-06T10:00:04.000Z\tWARN\tmain\terr two' },
    ]);
  });

  it('failure cases: a service without logs (exit 1 with the fix), no file written yet, an unreadable log, an unknown service', async () => {
    sb.writeSpec(SPEC);
    const none = await sb.cli(['logs', 'miner']);
    expect(none.code).toBe(1);
    expect(JSON.parse((await sb.cli(['logs', 'miner', '--json'])).stdout)).toMatchObject({ format_version: '1', error: { code: 'logs.not-configured' } });
    expect(none.stderr).toMatch(/^error\[logs\.not-configured\]: service miner has no log files in lotus\.yaml\nhint: add logs: \{ dir: ~\/Library\/Logs\/lotus \}.* under services\.miner/);

    const missing = await sb.cli(['logs', 'daemon']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/daemon\/stdout: .*daemon\.out\.log does not exist yet/);
    expect(missing.stderr).toMatch(/error\[logs\.missing\]: none of the log files exist yet/);

    // A log path that cannot be read (a folder here, so the test holds as root too): the readable one is still shown.
    mkdirSync(err(), { recursive: true });
    writeFileSync(out(), 'plain line\n');
    const unreadable = await sb.cli(['logs', 'daemon']);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stdout).toContain('plain line');
    expect(unreadable.stderr).toMatch(/error\[logs\.unreadable\]: .*daemon\.err\.log: not a regular file \(a directory\)/);

    const unknown = await sb.cli(['logs', 'deamon']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error\[cli\.unknown-service\]: lotus\.yaml has no service "deamon"\nhint: did you mean daemon\?/);
  });

  it('--monitor renders the monitor\'s JSON log; with a service, only the lines about it', async () => {
    sb.writeSpec(SPEC);
    mkdirSync(join(sb.home, 'Library/Logs/lotusctl'), { recursive: true });
    const line = (o: Record<string, unknown>) => `${JSON.stringify({ time: '2026-08-06T10:00:00.000Z', level: 'info', ...o })}\n`;
    writeFileSync(monitorLog(), [
      line({ event: 'monitor-start', msg: 'monitoring lotus.yaml every 30s' }),
      line({ level: 'warn', event: 'restart', msg: 'restarting daemon: unhealthy', service: 'daemon' }),
      line({ event: 'status', msg: 'miner is healthy', service: 'miner' }),
    ].join(''));
    const all = await sb.cli(['logs', '--monitor', '--stdout']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^2026-08-06T10:00:00\.000Z INFO  monitor-start  monitoring lotus\.yaml every 30s\n.*WARN  restart .*restarting daemon: unhealthy  service=daemon\n.*miner is healthy/);
    const daemon = await sb.cli(['logs', 'daemon', '--monitor', '--stdout']);
    expect(daemon.stdout).not.toContain('miner');
    expect(daemon.stdout).toContain('restarting daemon');
    expect((await sb.cli(['logs', 'monitor', '--stdout'])).stdout).toBe(all.stdout);
  });

  it('-f follows new lines across rotation (rename + new file) and truncation (copytruncate); Ctrl-C ends it with 0', async () => {
    sb.writeSpec(SPEC);
    mkdirSync(logDir());
    writeFileSync(err(), 'before\n');
    proc = new CliProcess(['logs', 'daemon', '--stderr', '-f', '-n', '1'], { env: sb.env, cwd: sb.root, ...sb.runAs() });
    const saw = (what: string, text: () => string = () => proc!.stdout) => waitFor(what, () => text().includes(what), 20_000);
    await saw('before');
    appendFileSync(err(), 'one\n');
    await saw('one');
    renameSync(err(), `${err()}.1`);
    appendFileSync(`${err()}.1`, 'two (late write to the rotated file)\n');
    await saw('two (late write to the rotated file)');
    writeFileSync(err(), 'three\n');
    await saw('three');
    await saw('was replaced (rotated)', () => proc!.stderr);
    copyFileSync(err(), `${err()}.2`);
    truncateSync(err(), 0);
    appendFileSync(err(), 'four\n');
    await saw('four');
    await saw('was truncated', () => proc!.stderr);
    const end = await proc.interrupt();
    expect(end).toEqual({ code: 0, signal: null });
    expect(proc.stdout.split('\n').filter(Boolean)).toEqual(['before', 'one', 'two (late write to the rotated file)', 'three', 'four']);
  });
});
