import { LotusctlError } from '../model/errors.js';
import { FileReadError, readFileCapped } from './read-file.js';

/** Read a spec file as text through the capped reader (a FIFO or a device never blocks; a huge file is refused unread). */
export function readSpecFile(path: string): string {
  try {
    return readFileCapped(path, 'spec').toString('utf8');
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    switch (e.problem) {
      case 'missing':
        throw new LotusctlError('spec.not-found', `${path}: no such file`, { hint: 'pass -f PATH, or copy lotus.yaml.example to lotus.yaml', cause: e });
      case 'not-regular':
        throw new LotusctlError('spec.not-a-file', `${path}: ${e.detail}`, { hint: 'pass the path of a lotus.yaml file', cause: e });
      case 'too-large':
        throw new LotusctlError('spec.too-large', `${path}: ${e.detail}`, { hint: 'a lotus.yaml is a few kilobytes: check that this is the right file', cause: e });
      default:
        throw new LotusctlError('spec.unreadable', `${path}: ${e.detail}`, { hint: 'check the path and its permissions', cause: e });
    }
  }
}
