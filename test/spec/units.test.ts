import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../src/spec/cron.js';
import { resolvePath } from '../../src/spec/paths.js';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/spec/units.js';

describe('durations', () => {
  it.each([
    ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['2d', 172_800_000], ['250ms', 250], ['1.5s', 1500], ['0s', 0],
  ])('%s = %d ms', (t, ms) => expect(parseDuration(t)).toBe(ms));
  it.each(['', '30', 's', '5 minutes', '-1s', '1h 30m', '1x', '30S'])('%j is not a duration', (t) => expect(parseDuration(t)).toBeUndefined());
  it('formats back', () => expect(formatDuration(5_400_000)).toBe('1h30m'));
});

describe('sizes', () => {
  it.each([
    ['4GiB', 4 * 1024 ** 3], ['512MiB', 512 * 1024 ** 2], ['10GB', 10e9], ['1024', 1024], [2048, 2048], ['1.5KiB', 1536],
  ] as const)('%s = %d bytes', (t, b) => expect(parseSize(t)).toBe(b));
  it.each(['', 'GiB', '4 Gibibytes', '-1', '4XB', 1.5, -3])('%j is not a size', (t) => expect(parseSize(t as string | number)).toBeUndefined());
  it('formats back', () => expect(formatSize(28 * 1024 ** 3)).toBe('28GiB'));
});

describe('cron', () => {
  it.each(['0 0 * * *', '*/5 * * * *', '0 9-17 * * mon-fri', '30 0 1,15 * *', '0 0 0 * * *'])('%s is valid', (c) => expect(cronProblem(c)).toBeUndefined());
  it.each([
    ['0 0 * *', /5 fields/], ['60 * * * *', /minute/], ['0 24 * * *', /hour/], ['0 0 32 * *', /day/], ['0 0 * 13 *', /month/], ['0 0 * * 8', /weekday/], ['*/0 * * * *', /minute/], ['5-1 * * * *', /minute/],
  ])('%s is refused', (c, why) => expect(cronProblem(c)).toMatch(why));
});

describe('paths', () => {
  it.each([
    ['~', '/Users/a'], ['~/x', '/Users/a/x'], ['$HOME/x', '/Users/a/x'], ['${HOME}/x', '/Users/a/x'], ['rel/x', '/spec/dir/rel/x'],
    ['/abs/../b/', '/b'], ['~user/x', '/spec/dir/~user/x'], ['$HOMEX/y', '/spec/dir/$HOMEX/y'],
  ])('%s -> %s', (p, want) => expect(resolvePath(p, '/Users/a', '/spec/dir')).toBe(want));
});
