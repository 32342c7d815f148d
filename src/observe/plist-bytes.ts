// An installed plist's bytes and file facts, without parsing (no plist library here: see plist-file.ts).
import { existsSync, lstatSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NOT_A_FILE_DIGEST, type ActualFile } from '../model/actual.js';
import type { PlistDict } from '../model/desired.js';
import { sha256 } from '../plan/digest.js';
import { FileReadError, readFileCapped } from '../system/read-file.js';

/** What lotusctl would write at a plist path: the digest of those bytes and the dict they hold. */
export interface KnownRendering {
  readonly digest: string;
  readonly dict: PlistDict;
}

export interface PlistBytes {
  readonly bytes: Buffer;
  readonly base: { readonly exists: true; readonly digest: string; readonly mode: number; readonly uid: number };
}

/**
 * The file's bytes, digest, mode and owner; or, where there are no bytes to read, the file as observed: nothing
 * there, or a FIFO, device or socket (or a symlink to one), `invalid` without being opened: drift reports it and
 * apply replaces it (the rename replaces the entry, never what a symlink points at). A folder there, a file past the
 * cap or one that cannot be read throws FileReadError: apply could not replace it either.
 */
export function readPlistBytes(path: string): PlistBytes | ActualFile {
  let bytes: Buffer;
  let st: ReturnType<typeof statSync>;
  try {
    // The capped reader refuses a FIFO, a device or a huge file at the plist path with a clear error, never hangs.
    bytes = readFileCapped(path, 'plist');
    st = statSync(path);
  } catch (e) {
    if ((e instanceof FileReadError && e.problem === 'missing') || (e as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    const entry = e instanceof FileReadError && e.problem === 'not-regular' ? lstatOrUndefined(path) : undefined;
    if (entry && !entry.isDirectory() && !(entry.isSymbolicLink() && isDirectory(path))) {
      return { exists: true, digest: NOT_A_FILE_DIGEST, format: 'invalid', problem: (e as FileReadError).detail, mode: Number(entry.mode) & 0o7777, uid: Number(entry.uid) };
    }
    throw e;
  }
  return { bytes, base: { exists: true, digest: sha256(bytes), mode: Number(st.mode) & 0o7777, uid: Number(st.uid) } };
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The file when its bytes are exactly lotusctl's rendering of `known.dict` (renderPlist is deterministic): what
 * parsing them would give, without parsing. Undefined when the bytes differ.
 */
export function knownPlistFile(read: PlistBytes, known: KnownRendering | undefined): ActualFile | undefined {
  if (known === undefined || read.base.digest !== known.digest) return undefined;
  const missing = missingPrograms(known.dict);
  return { ...read.base, format: 'xml', dict: known.dict, text: read.bytes.toString('utf8'), ...(missing.length > 0 ? { missingPrograms: missing } : {}) };
}

/** The plist's program (and the script a `node` runs) when given as absolute paths that do not exist. */
export function missingPrograms(dict: PlistDict): string[] {
  const args = Array.isArray(dict.ProgramArguments) ? dict.ProgramArguments.filter((a): a is string => typeof a === 'string') : [];
  const program = typeof dict.Program === 'string' ? dict.Program : args[0];
  const paths = [program, basename(program ?? '') === 'node' ? args[1] : undefined];
  return paths.filter((p): p is string => p !== undefined && p.startsWith('/') && !existsSync(p));
}
