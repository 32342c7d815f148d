import { describe, expect, it } from 'vitest';
import { noColors } from '../../src/render/colors.js';
import { humanMonitorLine } from '../../src/render/monitor-log.js';

const time = (iso: string) => iso.slice(11, 19);
const line = (o: Record<string, unknown>) => humanMonitorLine(JSON.stringify({ time: '2026-11-30T09:00:01.000Z', ...o }), noColors, time);

describe('monitor log lines for people', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a tick lists each service', { level: 'info', event: 'tick', msg: '2 services checked', services: { daemon: 'healthy', miner: 'unhealthy' } }, '09:00:01 info  2 services checked: daemon healthy, miner unhealthy'],
    ['a status change gives its reasons', { level: 'warn', event: 'status', msg: 'daemon is unhealthy', reasons: ['12 epochs behind (max 5)', '0 peers (min 1)'] }, '09:00:01 warn  daemon is unhealthy (12 epochs behind (max 5); 0 peers (min 1))'],
    ['a hint goes on its own line', { level: 'error', event: 'restart-failed', msg: 'launchctl kickstart -k x failed: 5', hint: 'run lotusctl plan' }, '09:00:01 error launchctl kickstart -k x failed: 5\n               hint: run lotusctl plan'],
    ['control characters are escaped', { level: 'error', event: 'spec-invalid', msg: 'bad\u001b[2J', problem: '1:1 x' }, '09:00:01 error bad\\u001b[2J\n               problem: 1:1 x'],
  ])('%s', (_name, o, want) => {
    expect(line(o)).toBe(want);
  });

  it('shows anything else as it is', () => {
    expect(humanMonitorLine('not json\u0007', noColors, time)).toBe('not json\\u0007');
    expect(humanMonitorLine('[1,2]', noColors, time)).toBe('[1,2]');
  });
});
