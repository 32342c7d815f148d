import { isLotusctlError, type LotusctlError } from '../../src/model/errors.js';

/** The LotusctlError `f` throws; fails the test when it succeeds or throws anything else. */
export function thrown(f: () => unknown): LotusctlError {
  try {
    f();
  } catch (e) {
    if (isLotusctlError(e)) return e;
    throw e;
  }
  throw new Error('expected a LotusctlError, got success');
}
