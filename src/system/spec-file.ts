import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { LotusctlError } from '../model/errors.js';
import { MAX_SPEC_BYTES } from '../spec/yaml-source.js';

/** Read a spec file as text, refusing huge files before reading them into memory. */
export function readSpecFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LotusctlError('spec.not-found', `${path}: no such file`, { hint: 'pass -f PATH, or copy lotus.yaml.example to lotus.yaml', cause: e });
    throw new LotusctlError('spec.unreadable', `${path}: cannot read (${code ?? 'error'})`, { hint: 'check the path and its permissions', cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new LotusctlError('spec.not-a-file', `${path}: not a regular file`, { hint: 'pass the path of a lotus.yaml file' });
    const size = Math.min(st.size, MAX_SPEC_BYTES + 1);
    const buf = Buffer.alloc(size);
    const n = size > 0 ? readSync(fd, buf, 0, size, 0) : 0;
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
