import { describe, expect, it } from 'vitest';
import {
  childBlock,
  headerBlock,
  parsePrintTree,
  readInt,
  readList,
  readMap,
  scalar,
  splitProperties,
  unquote,
  type PrintBlock,
  type PrintNode,
} from '../../src/launchd/print-grammar.js';
import { readFixture } from '../helpers/fixtures.js';

function header(text: string): PrintBlock {
  const h = headerBlock(parsePrintTree(text));
  if (h === undefined) throw new Error('no header block');
  return h;
}

// Strips line numbers so trees from differently indented copies can be compared.
function shape(n: PrintNode): unknown {
  if (n.kind === 'block') return { k: n.key, op: n.op, br: n.bracket, closed: n.closed, c: n.children.map(shape) };
  if (n.kind === 'entry') return { k: n.key, op: n.op, v: n.value };
  return { t: n.text };
}

describe('parsePrintTree', () => {
  it('reads the header, scalars and nested sections of a real service print', () => {
    const h = header(readFixture('print-service-system-exit1-semaphore-wifiFirmwareLoader-macos26.txt'));
    expect(h.key).toBe('system/com.apple.wifiFirmwareLoader');
    expect(h.closed).toBe(true);
    expect(scalar(h, 'state')).toBe('not running');
    // `state = active` inside the coalition records must not leak to the top level.
    expect(childBlock(h, 'resource coalition')?.children).toContainEqual(expect.objectContaining({ key: 'state', value: 'active' }));
    const triggers = childBlock(h, 'event triggers');
    const trig = triggers?.children[0];
    expect(trig).toMatchObject({ kind: 'block', key: 'com.apple.wifiFirmwareLoader', op: '=>', closed: true });
    const descriptor = trig?.kind === 'block' ? childBlock(trig, 'descriptor') : undefined;
    expect(descriptor === undefined ? undefined : Object.fromEntries(readMap(descriptor))).toEqual({
      '"IOProviderClass"': '"AppleBCMWLANCoreFirmwareLoader"',
    });
  });

  it('splits on the FIRST operator; keys may hold spaces, parentheses and commas', () => {
    const h = header(
      [
        'x = {',
        '\tjetsam memory limit (active, soft) = 15 MB',
        '\tcomment = a = b => c',
        '\tFOO => x = y',
        '\tpath = /Applications/Feedback Assistant.app/Contents/x',
        '\tdomain = gui/501 [100017]',
        '}',
      ].join('\n'),
    );
    expect(h.children.map(shape)).toEqual([
      { k: 'jetsam memory limit (active, soft)', op: '=', v: '15 MB' },
      { k: 'comment', op: '=', v: 'a = b => c' },
      { k: 'FOO', op: '=>', v: 'x = y' },
      { k: 'path', op: '=', v: '/Applications/Feedback Assistant.app/Contents/x' },
      { k: 'domain', op: '=', v: 'gui/501 [100017]' },
    ]);
  });

  it('reads an empty value with or without the trailing space', () => {
    expect(header('pid/599 = {\n\tproperties = \n}').children.map(shape)).toEqual([{ k: 'properties', op: '=', v: '' }]);
    expect(header('pid/599 = {\n\tproperties =\n}').children.map(shape)).toEqual([{ k: 'properties', op: '=', v: '' }]);
  });

  it('keeps flag lines as bare lines', () => {
    const h = header('x = {\n\tsubmitted job. ignore execute allowed\n\tdevice recovery on crashes (0)\n\tuid unset\n}\n');
    expect(h.children.map(shape)).toEqual([
      { t: 'submitted job. ignore execute allowed' },
      { t: 'device recovery on crashes (0)' },
      { t: 'uid unset' },
    ]);
  });

  it('reads nested `=> {` records and `=> [` arrays in event triggers', () => {
    const text = [
      'gui/501/x = {',
      '\tevent triggers = {',
      '\t\tcom.apple.launchd.PathState => {',
      '\t\t\tkeepalive = 1',
      '\t\t\tdescriptor = {',
      '\t\t\t\t"Paths" => [',
      '\t\t\t\t\t0 = "/tmp/a"',
      '\t\t\t\t\t1 = "/tmp/b"',
      '\t\t\t\t]',
      '\t\t\t\t"Nested" => {',
      '\t\t\t\t\t"Hour" => 0',
      '\t\t\t\t}',
      '\t\t\t}',
      '\t\t}',
      '\t}',
      '\tpid = 42',
      '}',
    ].join('\n');
    const h = header(text);
    expect(h.closed).toBe(true);
    expect(scalar(h, 'pid')).toBe('42');
    const trig = childBlock(h, 'event triggers')?.children[0] as PrintBlock;
    const desc = childBlock(trig, 'descriptor') as PrintBlock;
    expect(desc.children.map(shape)).toEqual([
      { k: '"Paths"', op: '=>', br: '[', closed: true, c: [{ k: '0', op: '=', v: '"/tmp/a"' }, { k: '1', op: '=', v: '"/tmp/b"' }] },
      { k: '"Nested"', op: '=>', br: '{', closed: true, c: [{ k: '"Hour"', op: '=>', v: '0' }] },
    ]);
  });

  it('keeps argv and environment lines verbatim (raw sections)', () => {
    const h = header(['x = {', '\targuments = {', '\t\t/bin/sh', '\t\tgo = {', '\t\tk => v', '\t}', '\tpid = 7', '}'].join('\n'));
    const args = childBlock(h, 'arguments') as PrintBlock;
    expect(readList(args)).toEqual(['/bin/sh', 'go = {', 'k => v']);
    expect(scalar(h, 'pid')).toBe('7');
  });

  it('marks blocks left open by a truncated paste', () => {
    const root = parsePrintTree('x = {\n\tenvironment = {\n\t\tA => 1\n');
    const h = headerBlock(root) as PrintBlock;
    expect(h.closed).toBe(false);
    expect(childBlock(h, 'environment')?.closed).toBe(false);
  });

  it('ignores stray closers at the root and reads CRLF input', () => {
    const root = parsePrintTree('}\r\n]\r\nx = {\r\n\ta = 1\r\n}\r\n}\r\n');
    expect(root.children.map(shape)).toEqual([{ k: 'x', op: '=', br: '{', closed: true, c: [{ k: 'a', op: '=', v: '1' }] }]);
  });

  it('reads tab- and space-indented copies into the same tree', () => {
    const tabs = readFixture('print-service-system-running-never-exited-runningboardd-macos26.txt');
    const spaces = tabs.replace(/^\t+/gm, (t) => '    '.repeat(t.length));
    expect(spaces).not.toBe(tabs);
    expect(parsePrintTree(spaces).children.map(shape)).toEqual(parsePrintTree(tabs).children.map(shape));
  });
});

describe('helpers', () => {
  it('scalar() refuses a key printed twice with different values', () => {
    const h = header('x = {\n\tpid = 1\n\tpid = 2\n\truns = 3\n\truns = 3\n}');
    expect(scalar(h, 'pid')).toBeUndefined();
    expect(scalar(h, 'runs')).toBe('3');
  });

  it('readMap() drops a key printed twice with different values', () => {
    const h = header('x = {\n\tsemaphores = {\n\t\ta => 1\n\t\ta => 2\n\t\tb => 3\n\t}\n}');
    expect(Object.fromEntries(readMap(childBlock(h, 'semaphores') as PrintBlock))).toEqual({ b: '3' });
  });

  it.each([
    ['42', 42],
    ['-9', -9],
    ['0', 0],
    ['-0', 0],
    [' 7 ', 7],
    ['abc', undefined],
    ['4.2', undefined],
    ['1e3', undefined],
    ['50 MB', undefined],
    ['', undefined],
    ['99999999999999999999', undefined],
    [undefined, undefined],
  ])('readInt(%j) = %j', (s, want) => {
    expect(readInt(s)).toBe(want);
  });

  it('splitProperties and unquote', () => {
    expect(splitProperties('runatload | inferred program |  | tle system')).toEqual(['runatload', 'inferred program', 'tle system']);
    expect(splitProperties('')).toEqual([]);
    expect(unquote('"com.apple.ftpd"')).toBe('com.apple.ftpd');
    expect(unquote('bare')).toBe('bare');
    expect(unquote('"')).toBe('"');
  });
});
