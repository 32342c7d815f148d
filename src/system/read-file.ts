// The one way lotusctl reads a file: regular files only, a size cap per kind of file, and never a blocking open.
// A FIFO, a device (/dev/zero, a symlink to one), a directory or a socket is refused before it is opened; a file
// bigger than its cap is refused before it is read; O_NONBLOCK makes even a swapped-in FIFO return at once.
// Everything is synchronous and bounded: no read here can block the event loop, so Ctrl-C always works.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { LotusctlError } from '../model/errors.js';
import { MAX_SPEC_BYTES } from '../spec/yaml-source.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most lotusctl reads of each kind of file (documented in specs/lotus-yaml.md, "Files lotusctl reads").
 * Each is many times what the file normally holds; anything bigger is refused with its size and this limit.
 */
export const READ_LIMITS = {
  /** lotus.yaml: a few KiB. */
  spec: MAX_SPEC_BYTES,
  /** A secret_env file: one token or API string, a few hundred bytes. */
  secret: 64 * KiB,
  /** A launchd job plist (installed, or one of its backups): a few KiB. */
  plist: 1 * MiB,
  /** state.json and monitor-state.json: a few hundred bytes per job. */
  state: 4 * MiB,
  /** The state lock: one small JSON object. */
  lock: 64 * KiB,
  /** A saved plan: every plist's text plus the changes, tens of KiB. */
  plan: 16 * MiB,
  /** One UTC day of monitor samples: about 300 bytes per service per tick (a 1s schedule, 3 services: ~78 MB). */
  samples: 256 * MiB,
  /** A Lotus repo's `api` file: one multiaddr. */
  api: 4 * KiB,
} as const;

export type ReadKind = keyof typeof READ_LIMITS;

const WHAT: Record<ReadKind, string> = {
  spec: 'a spec', secret: 'a secret file', plist: 'a plist', state: 'a state file', lock: 'a lock file', plan: 'a plan file',
  samples: 'a samples file', api: "a Lotus repo's api file",
};

/** Why a read was refused: `missing` (ENOENT/ENOTDIR), `not-regular`, `too-large` or `unreadable` (any other errno). */
export type ReadProblem = 'missing' | 'not-regular' | 'too-large' | 'unreadable';

const CODES: Record<ReadProblem, string> = {
  missing: 'fs.not-found', 'not-regular': 'fs.not-a-file', 'too-large': 'fs.too-large', unreadable: 'fs.read-failed',
};

/** A refused or failed read. `detail` says why in a few words and never holds the file's content. */
export class FileReadError extends LotusctlError {
  constructor(readonly path: string, readonly problem: ReadProblem, readonly detail: string, hint: string, cause?: unknown) {
    super(CODES[problem], `${path}: ${detail}`, { hint, ...(cause !== undefined ? { cause } : {}) });
  }
}

function fileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(path: string, what: string, st: Stats): FileReadError {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    // the message is still right without it
  }
  const type = fileType(st);
  return new FileReadError(path, 'not-regular', `not a regular file (${link ? `a symlink to ${type}` : type})`,
    `lotusctl reads ${what} only from a regular file; replace ${path} with one`);
}

function tooLarge(path: string, kind: ReadKind, size: number): FileReadError {
  const limit = READ_LIMITS[kind];
  return new FileReadError(path, 'too-large', `too large (${size} bytes, limit ${limit} for ${WHAT[kind]})`,
    `check that ${path} is the right file; ${WHAT[kind]} is normally far smaller`);
}

function errnoError(path: string, e: unknown): FileReadError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileReadError(path, 'missing', 'no such file', 'check the path', e);
  const words: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', ELOOP: 'too many levels of symlinks', EIO: 'input/output error' };
  const detail = `cannot read (${(code && words[code]) ?? code ?? String((e as Error)?.message ?? e)})`;
  return new FileReadError(path, 'unreadable', detail, code === 'EACCES' || code === 'EPERM' ? `check the permissions of ${path}` : 'check the path and try again', e);
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. O_NOCTTY: never adopt a terminal.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Opens a path that stat says is a regular file of at most `limit` bytes; re-checks on the open descriptor. */
function openRegular(path: string, kind: ReadKind): { fd: number; size: number } {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw errnoError(path, e);
  }
  // Checked before open: opening a device can have side effects, and a FIFO is never what we want.
  if (!st.isFile()) throw notRegular(path, WHAT[kind], st);
  if (st.size > READ_LIMITS[kind]) throw tooLarge(path, kind, st.size);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw errnoError(path, e);
  }
  try {
    // Checked again on what was opened: the path may have been swapped between stat and open.
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(path, WHAT[kind], fst);
    if (fst.size > READ_LIMITS[kind]) throw tooLarge(path, kind, fst.size);
    return { fd, size: fst.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * The bytes of a regular file of at most READ_LIMITS[kind] bytes. Throws FileReadError: fs.not-found,
 * fs.not-a-file (FIFO, device, directory, socket, or a file that claims 0 bytes but has content, like /proc files),
 * fs.too-large (with the size and the limit) or fs.read-failed.
 */
export function readFileCapped(path: string, kind: ReadKind): Buffer {
  const { fd, size } = openRegular(path, kind);
  try {
    // Never more than the size stat reported: a file that grows meanwhile (a samples file) is read as it was.
    const buf = Buffer.alloc(size);
    const n = readAt(fd, buf, 0, size, 0);
    if (size === 0) {
      // /proc and similar files report 0 bytes and produce content when read: not a file lotusctl should trust.
      const probe = Buffer.alloc(1);
      if (readSync(fd, probe, 0, 1, 0) > 0) {
        throw new FileReadError(path, 'not-regular', 'not a regular file (it reports 0 bytes but has content, like a /proc file)',
          `lotusctl reads ${WHAT[kind]} only from a regular file; copy the value into one`);
      }
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw errnoError(path, e);
  } finally {
    closeSync(fd);
  }
}

/** readFileCapped, or undefined when the file (or a parent folder) does not exist. */
export function readFileCappedIfExists(path: string, kind: ReadKind): Buffer | undefined {
  try {
    return readFileCapped(path, kind);
  } catch (e) {
    if (e instanceof FileReadError && e.problem === 'missing') return undefined;
    throw e;
  }
}

/** The text (UTF-8) of a regular file of at most READ_LIMITS[kind] bytes; throws like readFileCapped. */
export function readTextCapped(path: string, kind: ReadKind): string {
  return readFileCapped(path, kind).toString('utf8');
}

/**
 * A descriptor for reading a regular file of any size (a log, a samples file) piece by piece, opened without
 * blocking. A missing or unreadable path throws the errno error as fs does (callers test ENOENT); anything but a
 * regular file (a FIFO, a device, a directory) throws FileReadError fs.not-a-file. The caller closes it.
 */
export function openRegularFile(path: string, what = 'a log'): number {
  const st = statSync(path);
  if (!st.isFile()) throw notRegular(path, what, st);
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(path, what, fst);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The last `maxBytes` bytes of a regular file of any size (a log), or undefined when it does not exist.
 * Refuses what is not a regular file like readFileCapped; reads only the tail, so a huge log costs nothing.
 */
export function readTail(path: string, maxBytes: number): Buffer | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const err = errnoError(path, e);
    if (err.problem === 'missing') return undefined;
    throw err;
  }
  if (!st.isFile()) throw notRegular(path, 'a log', st);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw errnoError(path, e);
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(path, 'a log', fst);
    const len = Math.min(fst.size, Math.max(0, maxBytes));
    const buf = Buffer.alloc(len);
    return buf.subarray(0, readAt(fd, buf, 0, len, fst.size - len));
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw errnoError(path, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * All of a stream (standard input for `plan --stdin`), read without blocking the event loop, refused with
 * fs.too-large as soon as it passes READ_LIMITS[kind]: `yes | lotusctl plan --stdin` cannot eat the memory.
 */
export async function readStreamCapped(stream: AsyncIterable<Buffer | string> & { destroy?: () => void }, kind: ReadKind, name: string): Promise<string> {
  const limit = READ_LIMITS[kind];
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > limit) {
      stream.destroy?.();
      throw new FileReadError(name, 'too-large', `too large (more than ${limit} bytes, limit ${limit} for ${WHAT[kind]})`, `check that ${name} holds ${WHAT[kind]}`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
