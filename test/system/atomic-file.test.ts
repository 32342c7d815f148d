import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExclusive, parseTempName, readFileIfExists, tempPathFor, writeFileAtomic } from '../../src/system/atomic-file.js';
import { thrown } from '../helpers/thrown.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const moduleUrl = pathToFileURL(join(repoRoot, 'src/system/atomic-file.ts')).href;

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-atomic-'));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => new Promise<void>((res) => {
    if (c.exitCode !== null || c.signalCode !== null) return res();
    c.once('exit', () => res());
    c.kill('SIGKILL');
  })));
  rmSync(dir, { recursive: true, force: true });
});

function withUmask<T>(mask: number, f: () => T): T {
  const previous = process.umask(mask);
  try {
    return f();
  } finally {
    process.umask(previous);
  }
}

const modeOf = (p: string): number => statSync(p).mode & 0o7777;

describe('writeFileAtomic', () => {
  it.each([
    [0o600, 0o022], [0o644, 0o022], [0o644, 0o077], [0o600, 0o000], [0o644, 0o000], [0o640, 0o027], [0o755, 0o077],
  ].map(([mode, mask]) => [`0${mode!.toString(8)}`, `0${mask!.toString(8).padStart(3, '0')}`, mode!, mask!] as const))('mode %s is exact under umask %s, for a new file and over a looser one', (_m, _u, mode, mask) => {
    const target = join(dir, 'job.plist');
    withUmask(mask, () => writeFileAtomic(target, 'new', { mode }));
    expect(modeOf(target)).toBe(mode);

    writeFileSync(target, 'old');
    chmodSync(target, 0o777);
    withUmask(mask, () => writeFileAtomic(target, Buffer.from('newer'), { mode }));
    expect(modeOf(target)).toBe(mode);
    expect(readFileSync(target, 'utf8')).toBe('newer');
    expect(readdirSync(dir)).toEqual(['job.plist']);
  });

  it('writes strings as UTF-8 and buffers byte for byte', () => {
    const target = join(dir, 'f');
    writeFileAtomic(target, 'héllo ✓\n', { mode: 0o600 });
    expect(readFileSync(target, 'utf8')).toBe('héllo ✓\n');
    const bytes = Buffer.from([0, 255, 10, 13, 0x80]);
    writeFileAtomic(target, bytes, { mode: 0o600 });
    expect(readFileSync(target).equals(bytes)).toBe(true);
    writeFileAtomic(target, '', { mode: 0o600 });
    expect(readFileSync(target).length).toBe(0);
  });

  it('replaces a symlink at the path rather than writing through it', () => {
    const real = join(dir, 'real');
    writeFileSync(real, 'untouched');
    symlinkSync(real, join(dir, 'link'));
    writeFileAtomic(join(dir, 'link'), 'mine', { mode: 0o644 });
    expect(lstatSync(join(dir, 'link')).isFile()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('untouched');
  });

  it('fails with fs.write-failed when the directory is missing, leaving nothing behind', () => {
    const err = thrown(() => writeFileAtomic(join(dir, 'missing', 'f'), 'x', { mode: 0o600 }));
    expect(err.code).toBe('fs.write-failed');
    expect(err.message).toBe(`cannot write ${join(dir, 'missing', 'f')}: ENOENT`);
    expect(err.hint).toBe(`directory ${join(dir, 'missing')} does not exist`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes its temp file when the final rename fails (target is a non-empty directory)', () => {
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'inside'), 'keep');
    const err = thrown(() => writeFileAtomic(join(dir, 'target'), 'x', { mode: 0o600 }));
    expect(err.code).toBe('fs.write-failed');
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readFileSync(join(dir, 'target', 'inside'), 'utf8')).toBe('keep');
  });

  it('sets the owner when asked, and a refused chown is an error that leaves the old file and no debris', () => {
    const target = join(dir, 'owned');
    const uid = process.getuid!();
    const gid = process.getgid!();
    writeFileAtomic(target, 'mine', { mode: 0o640, uid, gid });
    expect([statSync(target).uid, statSync(target).gid, modeOf(target)]).toEqual([uid, gid, 0o640]);

    if (uid === 0) {
      // root may give files away: the chown really happens and the mode survives it.
      writeFileAtomic(target, 'theirs', { mode: 0o644, uid: 1, gid: 1 });
      expect([statSync(target).uid, statSync(target).gid, modeOf(target)]).toEqual([1, 1, 0o644]);
    } else {
      const err = thrown(() => writeFileAtomic(target, 'theirs', { mode: 0o644, uid: 0, gid: 0 }));
      expect(err.code).toBe('fs.write-failed');
      expect(err.hint).toContain('needs root');
      expect(readFileSync(target, 'utf8')).toBe('mine');
      expect(readdirSync(dir)).toEqual(['owned']);
    }
  });

  it.each([-1, 0o10000, 1.5, Number.NaN])('rejects mode %s as a bug', (mode) => {
    expect(thrown(() => writeFileAtomic(join(dir, 'f'), 'x', { mode })).code).toBe('internal');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two processes writing 50 times each never expose a torn file, and leave no temp files', async () => {
    const target = join(dir, 'contested');
    const size = 512 * 1024; // several write() chunks, so an in-place writer would be caught mid-way
    const whole = new Map([['a', Buffer.alloc(size, 'a')], ['b', Buffer.alloc(size + 4096, 'b')]]);
    const writer = (fill: string): ChildProcess => {
      const script = `
        const { writeFileAtomic } = await import(${JSON.stringify(moduleUrl)});
        const data = Buffer.alloc(${fill === 'a' ? size : size + 4096}, ${JSON.stringify(fill)});
        console.log('ready');
        process.stdin.once('data', () => {
          for (let i = 0; i < 50; i++) writeFileAtomic(${JSON.stringify(target)}, data, { mode: 0o644 });
          process.exit(0);
        });`;
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(c);
      return c;
    };
    const kids = [writer('a'), writer('b')];
    const exits = kids.map((c) => new Promise<number | null>((res) => c.once('exit', (code) => res(code))));
    await Promise.all(kids.map((c) => new Promise<void>((res, rej) => {
      createInterface({ input: c.stdout! }).on('line', (l) => { if (l === 'ready') res(); });
      c.once('exit', (code) => rej(new Error(`writer exited early with ${code}`)));
    })));
    let running = kids.length;
    void Promise.all(exits).then(() => { running = 0; });
    for (const c of kids) c.stdin!.write('go\n');

    let reads = 0;
    const torn: string[] = [];
    while (running > 0) {
      const got = readFileIfExists(target);
      if (got !== undefined) {
        reads++;
        const first = String.fromCharCode(got[0] ?? 0);
        if (!whole.get(first)?.equals(got)) torn.push(`${got.length} bytes starting ${JSON.stringify(first)}`);
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(torn.slice(0, 5), `${torn.length} torn reads of ${reads}`).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const final = readFileSync(target);
    expect(final.equals(whole.get('a')!) || final.equals(whole.get('b')!)).toBe(true);
    expect(readdirSync(dir)).toEqual(['contested']);
  });
});

describe('readFileIfExists', () => {
  it('returns the bytes, or undefined when the file (or a parent) does not exist', () => {
    writeFileSync(join(dir, 'f'), 'bytes');
    expect(readFileIfExists(join(dir, 'f'))?.toString()).toBe('bytes');
    expect(readFileIfExists(join(dir, 'nope'))).toBeUndefined();
    expect(readFileIfExists(join(dir, 'f', 'child'))).toBeUndefined();
  });

  it('refuses what is not a regular file (a directory) with fs.not-a-file', () => {
    const err = thrown(() => readFileIfExists(dir));
    expect(err.code).toBe('fs.not-a-file');
    expect(err.message).toContain('not a regular file (a directory)');
  });
});

describe('temporary names and exclusive creation', () => {
  it('names temporary files .<name>.<pid>.<12 hex>.tmp beside the target, and parses only that shape back', () => {
    const tmp = tempPathFor(join(dir, 'com.example.daemon.plist'));
    expect(tmp.startsWith(`${dir}/.com.example.daemon.plist.${process.pid}.`)).toBe(true);
    expect(parseTempName(tmp.slice(dir.length + 1))).toEqual({ target: 'com.example.daemon.plist', pid: process.pid });
    for (const other of ['.x.tmp', 'x.plist.12.abcdefabcdef.tmp', '.x.plist.12.ABCDEFABCDEF.tmp', '.x.plist.0.abcdefabcdef.tmp', '.x.plist.12.abcdef.tmp', '.x.plist.12.abcdefabcdef.tmp.bak']) {
      expect(parseTempName(other), other).toBeUndefined();
    }
  });

  it('createExclusive: complete content or nothing, false when the name exists, no temporary file left', () => {
    const p = join(dir, 'lock.json');
    expect(createExclusive(p, '{"a":1}\n', 0o600)).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n');
    expect(modeOf(p)).toBe(0o600);
    expect(createExclusive(p, '{"b":2}\n', 0o600)).toBe(false);
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(dir)).toEqual(['lock.json']);
  });
});
