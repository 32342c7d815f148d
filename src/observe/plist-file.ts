// Reading an installed plist: its bytes and facts, and the parsed dict. Parsing loads the plist library's XML parser
// (@xmldom/xmldom), a large share of a plan's start-up: observe.ts loads this module only for a file whose bytes are
// not exactly what lotusctl would write there (plist-bytes.ts).
import type { ActualFile } from '../model/actual.js';
import { parsePlistBytes } from '../launchd/plist-parse.js';
import { missingPrograms, readPlistBytes, type PlistBytes } from './plist-bytes.js';

/** The file as read by readPlistBytes, parsed: XML or binary; unreadable content is `invalid`, not an error. */
export function parsedPlistFile(read: PlistBytes): ActualFile {
  const { bytes, base } = read;
  const binary = bytes.subarray(0, 8).toString('latin1') === 'bplist00';
  const parsed = parsePlistBytes(bytes);
  const text = binary ? {} : { text: bytes.toString('utf8') };
  if (parsed.format === 'invalid') return { ...base, format: 'invalid', problem: parsed.problem, ...text };
  const missing = missingPrograms(parsed.dict);
  return { ...base, format: parsed.format, dict: parsed.dict, ...text, ...(missing.length > 0 ? { missingPrograms: missing } : {}) };
}

/**
 * Read a plist file: XML or binary, parsed with the plist library; unreadable content is `invalid`, not an error,
 * and so is a FIFO, device or socket at the path (readPlistBytes).
 */
export function readPlistFile(path: string): ActualFile {
  const read = readPlistBytes(path);
  return 'bytes' in read ? parsedPlistFile(read) : read;
}
