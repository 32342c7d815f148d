import { describe, expect, it } from 'vitest';
import { deepEqual, diffFields, diffPlistBody, fieldName, formatValue, unitNote, type FieldDiff } from '../../src/render/plan-diff.js';
import type { EnvSensitivity } from '../../src/render/plan-secrets.js';

const noSecrets: EnvSensitivity = { declared: [], isSensitive: () => false, status: () => 'unchanged' };
const secrets = (marks: Record<string, 'changed' | 'unchanged' | 'added' | 'removed'>): EnvSensitivity =>
  ({ declared: Object.keys(marks), isSensitive: (n) => n in marks, status: (n) => marks[n] ?? 'unchanged' });

/** `status name` lines, nested with dots, for compact expectations. */
function flat(fs: readonly FieldDiff[]): string[] {
  return fs.flatMap((f) => [`${f.status} ${f.path.join('.')}${f.sensitive ? ' (sensitive)' : ''}`, ...flat(f.children ?? [])]);
}

describe('unitNote: units from launchd.plist(5)', () => {
  it.each([
    [['ExitTimeOut'], 120, ' (2m)'],
    [['ExitTimeOut'], 30, ' (30s)'],
    [['ExitTimeOut'], 0, ' (no limit)'],
    [['ThrottleInterval'], 90, ' (1m30s)'],
    [['StartInterval'], 3600, ' (1h)'],
    [['Umask'], 18, ' (0022)'],
    [['SoftResourceLimits', 'CPU'], 7200, ' (2h)'],
    [['HardResourceLimits', 'Data'], 4 * 1024 ** 3, ' (4GiB)'],
    [['HardResourceLimits', 'Stack'], 8 * 1024 ** 2, ' (8MiB)'],
    [['SoftResourceLimits', 'ResidentSetSize'], 1536 * 1024 ** 2, ' (1536MiB)'],
    [['SoftResourceLimits', 'ResidentSetSize'], 1536 * 1024 ** 2 + 1, ' (1.5GiB)'],
    [['SoftResourceLimits', 'Core'], 0, ' (0B)'],
    [['SoftResourceLimits', 'NumberOfFiles'], 16384, ''],
    [['Nice'], 5, ''],
    [['EnvironmentVariables', 'ExitTimeOut'], 5, ''],
    [['ExitTimeOut'], -1, ''],
  ] as const)('%j = %d -> %j', (path, n, want) => {
    expect(unitNote(path, n)).toBe(want);
  });
});

describe('formatValue', () => {
  it.each([
    [['Label'], 'com.x', '"com.x"'],
    [['Label'], 'a"b\u001b', '"a\\"b\\u001b"'],
    [['EnvironmentVariables', 'S'], '(sensitive)', '(sensitive value)'],
    [['RunAtLoad'], true, 'true'],
    [['ProgramArguments'], ['/bin/x', '-v'], '["/bin/x", "-v"]'],
    [['KeepAlive'], { SuccessfulExit: false, Crashed: true }, '{ Crashed = true, SuccessfulExit = false }'],
    [['KeepAlive'], { PathState: { '/Volumes/Chain': true } }, '{ PathState = { "/Volumes/Chain" = true } }'],
    [['HardResourceLimits'], { Data: 1024 ** 3 }, '{ Data = 1073741824 (1GiB) }'],
    [['X'], {}, '{}'],
    [['X'], null, 'null'],
  ] as const)('%j %j', (path, v, want) => {
    expect(formatValue(path, v)).toBe(want);
  });

  it('quotes names that are not identifiers', () => {
    expect([fieldName('Nice'), fieldName('/Volumes/Chain'), fieldName('a b')]).toEqual(['Nice', '"/Volumes/Chain"', '"a b"']);
  });
});

describe('diffFields', () => {
  it.each([
    ['create: everything added, dicts expanded', undefined, { A: 1, D: { x: 1 } }, ['added A', 'added D', 'added D.x']],
    ['delete: everything removed', { A: 1, D: { x: 1 } }, undefined, ['removed A', 'removed D', 'removed D.x']],
    ['equal', { A: 1, D: { x: [1, { y: 2 }] } }, { D: { x: [1, { y: 2 }] }, A: 1 }, ['unchanged A', 'unchanged D', 'unchanged D.x']],
    ['scalar change, add, remove, sorted', { B: 1, C: true }, { A: 0, B: 2 }, ['added A', 'changed B', 'removed C']],
    ['nested change marks the parent changed', { D: { x: 1, y: 2 } }, { D: { x: 1, y: 3 } }, ['changed D', 'unchanged D.x', 'changed D.y']],
    ['type change has no children', { K: true }, { K: { Crashed: true } }, ['changed K']],
  ])('%s', (_name, before, after, want) => {
    expect(flat(diffFields(before, after, noSecrets))).toEqual(want);
  });

  it('keeps both values of a changed scalar', () => {
    expect(diffFields({ ExitTimeOut: 30 }, { ExitTimeOut: 120 }, noSecrets)).toEqual([
      { name: 'ExitTimeOut', path: ['ExitTimeOut'], status: 'changed', before: 30, after: 120 },
    ]);
  });

  it('diffs arrays element by element', () => {
    const [f] = diffFields({ P: ['a', 'b', 'c'] }, { P: ['a', 'x', 'c', 'd'] }, noSecrets);
    expect(f?.elements).toEqual([
      { op: ' ', value: 'a' }, { op: '-', value: 'b' }, { op: '+', value: 'x' }, { op: ' ', value: 'c' }, { op: '+', value: 'd' },
    ]);
  });

  it('sensitive variables carry a status and no value, even when the view holds one in clear', () => {
    const fs = diffFields(
      { EnvironmentVariables: { S: 'old-clear', A: '1' } },
      { EnvironmentVariables: { S: 'new-clear', A: '1' } },
      secrets({ S: 'changed' }),
    );
    expect(flat(fs)).toEqual(['changed EnvironmentVariables', 'unchanged EnvironmentVariables.A', 'changed EnvironmentVariables.S (sensitive)']);
    expect(JSON.stringify(fs)).not.toMatch(/clear/);
  });

  it('a sensitive change the masked values cannot show still marks EnvironmentVariables changed', () => {
    const masked = { EnvironmentVariables: { S: '(sensitive)' } };
    expect(flat(diffFields(masked, masked, secrets({ S: 'changed' })))).toEqual(['changed EnvironmentVariables', 'changed EnvironmentVariables.S (sensitive)']);
    expect(flat(diffFields(masked, masked, secrets({ S: 'unchanged' })))).toEqual(['unchanged EnvironmentVariables', 'unchanged EnvironmentVariables.S (sensitive)']);
  });

  it('a declared secret absent from both views still gets a line', () => {
    expect(flat(diffFields({ A: 1 }, { A: 1 }, secrets({ S: 'added' })))).toEqual(['unchanged A', 'changed EnvironmentVariables', 'added EnvironmentVariables.S (sensitive)']);
  });

  it('EnvironmentVariables that changes type is shown masked', () => {
    const [f] = diffFields({ EnvironmentVariables: 'oops' }, { EnvironmentVariables: { S: 'clear' } }, secrets({ S: 'added' }));
    expect(f).toMatchObject({ status: 'changed', before: 'oops', after: { S: '(sensitive)' } });
  });

  it('deepEqual', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});

describe('diffPlistBody', () => {
  it('is empty for equal bodies', () => {
    expect(diffPlistBody('/p', 'a\n', '/p', 'a\n')).toEqual([]);
  });

  it('gives headers, hunks and +/- lines, tabs as two spaces', () => {
    const lines = diffPlistBody('/p', 'a\n\tb\nc\n', '/p', 'a\n\tB\nc\n');
    expect(lines.map((l) => `${l.kind}|${l.text}`)).toEqual([
      'header|--- /p (now)', 'header|+++ /p (after apply)', 'hunk|@@ -1,3 +1,3 @@', ' | a', '-|-  b', '+|+  B', ' | c',
    ]);
  });
});
