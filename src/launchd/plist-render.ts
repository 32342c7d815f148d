import { build } from 'plist';
import type { PlistData, PlistDict } from '../model/desired.js';

function sorted(v: PlistData): PlistData {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v === 'object') {
    const out: PlistDict = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted(v[k] as PlistData);
    return out;
  }
  return v;
}

/**
 * XML plist text with keys sorted at every level and tab indentation, as Apple's tools write it.
 * Deterministic: the same dict always gives the same bytes, so comparing bytes is the change test.
 */
export function renderPlist(dict: PlistDict): string {
  return `${build(sorted(dict), { indent: '\t', newline: '\n' })}\n`;
}
