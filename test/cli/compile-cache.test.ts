// The compile cache (src/cli/compile-cache.ts): V8's code for dist/cli/*.cjs kept between runs, in a private folder of
// the user's in the temp folder. A later run uses it; a folder or file anyone else could have written is never read;
// bad data only means compiling again; the output is the same either way. Timing is npm run bench's.
import { chmodSync, chownSync, copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { IS_ROOT, OPERATOR } from '../helpers/operator.js';

const builtin = typeof ((await import('node:module')).default as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const euid = process.geteuid?.() ?? 0;
let tmp: string;
let root: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  root = join(tmp, `lotusctl-compile-cache-${euid}`);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const spec = join(repoRoot, 'lotus.yaml.example');
/** validate with the checkout's CLI, or with another install's `main.js`. */
async function validate(env: Record<string, string> = {}, install?: string) {
  const r = install === undefined
    ? await runCli(['validate', '-f', spec], { env: { TMPDIR: tmp, LOTUSCTL_COMPILE_CACHE_DEBUG: '1', ...env } })
    : await new Promise<{ stdout: string; stderr: string; code: number }>((done) => {
      execFile(process.execPath, [install, 'validate', '-f', spec], { env: { PATH: process.env['PATH'], NO_COLOR: '1', TMPDIR: tmp, LOTUSCTL_COMPILE_CACHE_DEBUG: '1', ...env } }, (err, stdout, stderr) => done({ stdout, stderr, code: err ? 1 : 0 }));
    });
  const m = /compile cache (\S+): (\d+) hit\(s\), (\d+) miss\(es\)/.exec(r.stderr);
  return { out: r.stdout, code: r.code, used: m ? { dir: m[1] as string, hits: Number(m[2]), misses: Number(m[3]) } : undefined };
}
const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8')).sort();

describe.skipIf(builtin)('the compile cache (Node < 22.1)', () => {
  it('is written by the first run into a private folder and used by the next, with the same output', async () => {
    const first = await validate();
    expect(first.code).toBe(0);
    expect(first.used).toMatchObject({ hits: 0 });
    expect(first.used?.misses).toBeGreaterThan(5);
    const dir = first.used?.dir as string;
    expect(dir.startsWith(root)).toBe(true);
    for (const d of [root, dir]) expect(lstatSync(d).mode & 0o777).toBe(0o700);
    const files = cacheFiles(dir);
    expect(files).toHaveLength(first.used?.misses as number);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);

    const second = await validate();
    expect(second.used).toEqual({ dir, hits: first.used?.misses, misses: 0 });
    expect(second.out).toBe(first.out);
    const off = await validate({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(off.used).toBeUndefined();
    expect(off.out).toBe(first.out);
  });

  it('LOTUSCTL_COMPILE_CACHE_DIR is the parent folder instead of the temp folder', async () => {
    const parent = join(tmp, 'parent');
    mkdirSync(parent);
    const r = await validate({ LOTUSCTL_COMPILE_CACHE_DIR: parent });
    expect(r.used?.dir.startsWith(join(parent, `lotusctl-compile-cache-${euid}`))).toBe(true);
    expect(readdirSync(tmp)).toEqual(['parent']);
  });

  it('two installs keep their own data: neither evicts the other\'s', async () => {
    const other = join(tmp, 'install');
    cpSync(join(repoRoot, 'dist/cli'), join(other, 'dist/cli'), { recursive: true });
    copyFileSync(join(repoRoot, 'package.json'), join(other, 'package.json'));
    const first = await validate();
    const elsewhere = await validate({}, join(other, 'dist/cli/main.js'));
    expect(elsewhere.used).toMatchObject({ hits: 0, misses: first.used?.misses });
    expect(elsewhere.out).toBe(first.out);
    expect((await validate()).used).toMatchObject({ hits: first.used?.misses, misses: 0 });
  });

  it('data V8 refuses (damaged, or for other code) is compiled again and replaced', async () => {
    const first = await validate();
    const dir = first.used?.dir as string;
    const [victim] = cacheFiles(dir);
    writeFileSync(join(dir, victim as string), 'not V8 code cache data');
    const second = await validate();
    expect(second.used).toMatchObject({ misses: 1 });
    expect(second.out).toBe(first.out);
    expect(readFileSync(join(dir, victim as string), 'utf8')).not.toBe('not V8 code cache data');
    expect((await validate()).used).toMatchObject({ misses: 0 });
  });

  it('a folder others may write, or a link, is not used (nothing read, nothing written)', async () => {
    const first = await validate({ NODE_DISABLE_COMPILE_CACHE: '1' });
    mkdirSync(root, { mode: 0o700 });
    chmodSync(root, 0o777);
    const open = await validate();
    expect(open.used).toBeUndefined();
    expect(open.out).toBe(first.out);
    expect(readdirSync(root)).toEqual([]);

    rmSync(root, { recursive: true });
    const elsewhere = join(tmp, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, root);
    const linked = await validate();
    expect(linked.used).toBeUndefined();
    expect(linked.out).toBe(first.out);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it.skipIf(!IS_ROOT)("root never reads a folder or a file of another user's (sudo)", async () => {
    const first = await validate();
    const dir = first.used?.dir as string;
    const files = cacheFiles(dir);
    chownSync(join(dir, files[0] as string), OPERATOR.uid, OPERATOR.gid);
    expect((await validate()).used).toMatchObject({ misses: 1 });
    expect(lstatSync(join(dir, files[0] as string)).uid).toBe(0);

    chownSync(root, OPERATOR.uid, OPERATOR.gid);
    const foreign = await validate();
    expect(foreign.used).toBeUndefined();
    expect(foreign.out).toBe(first.out);
  });
});
