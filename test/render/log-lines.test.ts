import { describe, expect, it } from 'vitest';
import { noColors } from '../../src/render/colors.js';
import { interleave, lineTime, monitorLineConcerns, renderMonitorLine } from '../../src/render/log-lines.js';

describe('log lines', () => {
  it('reads the time a line starts with: lotus (zap) text, ISO with an offset, JSON lines', () => {
    expect(lineTime('2026-08-06T10:00:00.123Z\tINFO\tmain\tx\tlotus repo: /r')).toBe(Date.parse('2026-08-06T10:00:00.123Z'));
    expect(lineTime('2026-08-06T12:00:00.000+0200\tWARN\tx')).toBe(Date.parse('2026-08-06T10:00:00Z'));
    expect(lineTime('{"time":"2026-08-06T10:00:01.000Z","level":"info"}')).toBe(Date.parse('2026-08-06T10:00:01Z'));
    expect(lineTime('goroutine 1 [running]:')).toBeUndefined();
  });

  it('interleaves stdout and stderr by time; a line without a time keeps its predecessor\'s; keeps the last n', () => {
    const r = interleave([
      { label: 'd/stdout', lines: ['2026-08-06T10:00:01Z out1', '2026-08-06T10:00:03Z out2'] },
      { label: 'd/stderr', lines: ['2026-08-06T10:00:02Z panic: x', 'goroutine 1 [running]:', '2026-08-06T10:00:04Z err2'] },
    ], 4);
    expect(r.merged).toBe(true);
    expect(r.lines.map((l) => `${l.label} ${l.line}`)).toEqual([
      'd/stderr 2026-08-06T10:00:02Z panic: x', 'd/stderr goroutine 1 [running]:', 'd/stdout 2026-08-06T10:00:03Z out2', 'd/stderr 2026-08-06T10:00:04Z err2',
    ]);
  });

  it('without times in every file, shows each file\'s tail whole, one after the other', () => {
    const r = interleave([{ label: 'a', lines: ['x', 'y'] }, { label: 'b', lines: ['2026-08-06T10:00:02Z z'] }], 1);
    expect(r.merged).toBe(false);
    expect(r.lines.map((l) => l.line)).toEqual(['x', 'y', '2026-08-06T10:00:02Z z']);
  });

  it('renders monitor JSON lines readably and leaves other lines alone', () => {
    const line = JSON.stringify({ time: '2026-08-06T10:00:00.000Z', level: 'warn', event: 'restart', msg: 'restarting daemon: unhealthy', service: 'daemon', label: 'com.lotusctl.daemon', reasons: ['stuck'], hint: null });
    expect(renderMonitorLine(line, noColors)).toBe('2026-08-06T10:00:00.000Z WARN  restart        restarting daemon: unhealthy  service=daemon label=com.lotusctl.daemon reasons=["stuck"]');
    expect(renderMonitorLine('node: internal error', noColors)).toBe('node: internal error');
  });

  it('filters the monitor log by service; lines about no service in particular stay', () => {
    expect(monitorLineConcerns('{"event":"status","service":"miner"}', 'daemon')).toBe(false);
    expect(monitorLineConcerns('{"event":"tick","services":{"daemon":"healthy"}}', 'daemon')).toBe(true);
    expect(monitorLineConcerns('{"event":"tick","services":{"miner":"healthy"}}', 'daemon')).toBe(false);
    expect(monitorLineConcerns('{"event":"monitor-start"}', 'daemon')).toBe(true);
  });
});
