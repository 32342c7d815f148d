import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileFollower, tailLines, type FollowEvent } from '../../src/system/tail-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-tail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (evs: FollowEvent[]) => evs.flatMap((e) => (e.kind === 'lines' ? e.lines : [`<${e.kind}>`]));

describe('tailLines', () => {
  it('the last n lines, with or without a final newline, CRLF stripped, UTF-8 across chunk boundaries', () => {
    const p = join(dir, 'a.log');
    writeFileSync(p, 'one\r\ntwo\nthree\n');
    expect(tailLines(p, 2).lines).toEqual(['two', 'three']);
    expect(tailLines(p, 10).lines).toEqual(['one', 'two', 'three']);
    appendFileSync(p, 'four');
    expect(tailLines(p, 2).lines).toEqual(['three', 'four']);
    const long = `${'é'.repeat(70_000)}\nlast\n`;
    writeFileSync(p, long);
    expect(tailLines(p, 2).lines).toEqual(['é'.repeat(70_000), 'last']);
  });

  it('reads at most maxBytes from the end: a huge line is cut off and reported, not read whole', () => {
    const p = join(dir, 'big.log');
    writeFileSync(p, `${'x'.repeat(1_000_000)}\nshort\n`);
    const t = tailLines(p, 5, { maxBytes: 4096 });
    expect(t).toEqual({ lines: ['short'], capped: true });
  });

  it('a 10 GB sparse log: the tail comes from its end', () => {
    const p = join(dir, 'huge.log');
    writeFileSync(p, '');
    truncateSync(p, 10 * 1024 ** 3);
    appendFileSync(p, '\nthe end\n');
    expect(tailLines(p, 1).lines).toEqual(['the end']);
  });

  it('end: reads as if the file stopped there; keep: only matching lines count', () => {
    const p = join(dir, 'a.log');
    writeFileSync(p, 'a1\nb1\na2\nb2\n');
    expect(tailLines(p, 5, { end: 6 }).lines).toEqual(['a1', 'b1']);
    expect(tailLines(p, 2, { keep: (l) => l.startsWith('a') }).lines).toEqual(['a1', 'a2']);
  });
});

describe('FileFollower', () => {
  it('reads appended lines, holds a partial line until its newline', () => {
    const p = join(dir, 'f.log');
    writeFileSync(p, 'old\n');
    const f = new FileFollower(p);
    appendFileSync(p, 'new1\nnew');
    expect(lines(f.poll())).toEqual(['new1']);
    appendFileSync(p, '2\n');
    expect(lines(f.poll())).toEqual(['new2']);
    f.close();
  });

  it('survives rotation by rename + new file: the old file is read to its end, then the new one from its start', () => {
    const p = join(dir, 'f.log');
    writeFileSync(p, '');
    const f = new FileFollower(p);
    appendFileSync(p, 'a\n');
    renameSync(p, `${p}.1`);
    appendFileSync(`${p}.1`, 'b (written after the rename)\n');
    expect(lines(f.poll())).toEqual(['a', 'b (written after the rename)']);
    writeFileSync(p, 'c\n');
    expect(lines(f.poll())).toEqual(['<rotated>', 'c']);
    appendFileSync(p, 'd\n');
    expect(lines(f.poll())).toEqual(['d']);
    f.close();
  });

  it('survives truncation in place (copytruncate)', () => {
    const p = join(dir, 'f.log');
    writeFileSync(p, 'x'.repeat(100) + '\n');
    const f = new FileFollower(p);
    truncateSync(p, 0);
    appendFileSync(p, 'after\n');
    expect(lines(f.poll())).toEqual(['<truncated>', 'after']);
    f.close();
  });

  it('waits for a missing file and reads it from its start when it appears; says so once', () => {
    const p = join(dir, 'later.log');
    const f = new FileFollower(p);
    expect(lines(f.poll())).toEqual(['<missing>']);
    expect(lines(f.poll())).toEqual([]);
    writeFileSync(p, 'first\n');
    expect(lines(f.poll())).toEqual(['<appeared>', 'first']);
    f.close();
  });

  it('bounds each poll: a big append is read over several polls', () => {
    const p = join(dir, 'f.log');
    writeFileSync(p, '');
    const f = new FileFollower(p);
    appendFileSync(p, 'y'.repeat(200_000) + '\nend\n');
    const first = lines(f.poll(65_536));
    expect(first).toEqual([]);
    let rest: string[] = [];
    for (let i = 0; i < 5; i++) rest = rest.concat(lines(f.poll(65_536)));
    expect(rest).toEqual(['y'.repeat(200_000), 'end']);
    f.close();
  });
});
