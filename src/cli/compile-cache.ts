// V8's compiled code of the CLI's bundle files, kept between runs: what Node 22's module.enableCompileCache() does,
// for Node 20, which has no such function. Compiling zod, yaml, commander and lotusctl's own code is about a fifth
// of every start (README, "Performance"); with the cache V8 deserializes it instead.
//
// Only the CommonJS files of dist/cli (*.cjs) go through here (Node 20 has no API for an ES module's cached data).
// The cache is a folder of this user's in the temp folder, as Node's own (LOTUSCTL_COMPILE_CACHE_DIR: another parent
// folder than the temp folder): `lotusctl-compile-cache-<euid>/<node version>-<arch>`. It is used only when it is a real folder
// owned by the effective uid that nobody else may write, and only files owned by that uid are read, so root (sudo)
// never runs code another user could have written. V8 refuses data made by another V8 version or for other source;
// the file name holds the install's folder, the source's size and mtime and the Node version, so a rebuilt bundle
// never meets stale data (and replaces it).
// Anything that goes wrong only means compiling as usual. NODE_DISABLE_COMPILE_CACHE=1 (Node's switch) turns it off.
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

export interface CompileCacheOptions {
  /** Files under this folder ending in .cjs are cached (dist/cli). */
  readonly codeDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What one run did with the cache, for tests and `LOTUSCTL_COMPILE_CACHE_DEBUG`. */
export interface CompileCacheStats {
  readonly dir: string;
  hits: string[];
  /** Compiled and written at exit: no data, or V8 refused it. */
  misses: string[];
}

type CompileFn = (this: ModuleLike, content: string, filename: string) => unknown;
interface ModuleLike { exports: unknown; _compile: CompileFn }

const euid = (): number => process.geteuid?.() ?? -1;

/** FNV-1a of a path, in hex: two installs of lotusctl keep their data apart (neither evicts the other's). */
function pathKey(path: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The cache folder if it is safe to use (created 0700 if missing): a folder, not a link, owned by us, private. */
export function usableCacheDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === euid() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Cached data for `filename` from `key`, when the file is ours and regular; undefined otherwise. */
function readOwn(key: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(key, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== euid()) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes atomically (temp file, rename) and removes this file's data for other versions of its source. */
function writeOwn(dir: string, key: string, data: Buffer, prefix: string): void {
  const tmp = `${key}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, key);
    for (const f of readdirSync(dir)) if (f.startsWith(prefix) && join(dir, f) !== key && !f.endsWith('.tmp')) unlinkSync(join(dir, f));
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // not written
    }
  }
}

/**
 * Installs the cache for the .cjs files of `codeDir` loaded from now on. Returns undefined (and changes nothing)
 * where Node has its own cache (22.1+, turned on instead), when it is turned off, or when no safe folder is available.
 */
export function installCompileCache(opts: CompileCacheOptions): CompileCacheStats | undefined {
  const env = opts.env ?? process.env;
  const builtin = (Module as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (builtin !== undefined) {
    builtin();
    return undefined;
  }
  if (env['NODE_DISABLE_COMPILE_CACHE'] !== undefined && env['NODE_DISABLE_COMPILE_CACHE'] !== '') return undefined;
  const root = join(env['LOTUSCTL_COMPILE_CACHE_DIR'] || tmpdir(), `lotusctl-compile-cache-${euid()}`);
  if (!usableCacheDir(root)) return undefined;
  const dir = join(root, `${process.version}-${process.arch}`);
  if (!usableCacheDir(dir)) return undefined;

  const stats: CompileCacheStats = { dir, hits: [], misses: [] };
  const pending: Array<{ key: string; prefix: string; script: vm.Script }> = [];
  const proto = (Module as unknown as { prototype: ModuleLike }).prototype;
  const original = proto._compile;
  const codeDir = opts.codeDir;
  const codeKey = pathKey(codeDir);
  proto._compile = function compile(this: ModuleLike, content: string, filename: string): unknown {
    if (dirname(filename) !== codeDir || !filename.endsWith('.cjs')) return original.call(this, content, filename);
    let key: string;
    let prefix: string;
    try {
      const st = statSync(filename);
      prefix = `${basename(filename)}.${codeKey}.`;
      key = join(dir, `${prefix}${st.size}.${Math.trunc(st.mtimeMs)}.v8`);
    } catch {
      return original.call(this, content, filename);
    }
    const cachedData = readOwn(key);
    // No importModuleDynamically: the bundle has no import() (scripts/bundle-cli.mjs), and V8 drops it from cached code.
    const script = new vm.Script(Module.wrap(content), { filename, ...(cachedData !== undefined ? { cachedData } : {}) });
    if (cachedData === undefined || script.cachedDataRejected === true) {
      stats.misses.push(basename(filename));
      pending.push({ key, prefix, script });
    } else {
      stats.hits.push(basename(filename));
    }
    const fn = script.runInThisContext({ displayErrors: true }) as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => unknown;
    return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  // At exit, so that the data holds every function this run compiled, not only the top level.
  process.on('exit', () => {
    for (const p of pending) {
      try {
        writeOwn(dir, p.key, p.script.createCachedData(), p.prefix);
      } catch {
        // only a cache
      }
    }
    if (env['LOTUSCTL_COMPILE_CACHE_DEBUG'] === '1') process.stderr.write(`compile cache ${dir}: ${stats.hits.length} hit(s), ${stats.misses.length} miss(es)\n`);
  });
  return stats;
}
