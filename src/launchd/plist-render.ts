import type { PlistData, PlistDict } from '../model/desired.js';
import { InternalError } from '../model/errors.js';
import { invalidXmlCharIndex } from './xml-chars.js';

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
 * Defence in depth behind validation: every number is a safe integer (launchd has no real-valued keys, and
 * `1e+23` is not an <integer>), every string and key is XML 1.0 text. The error names the key path, never a value.
 */
function assertRenderable(v: unknown, path: string): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new InternalError(`refusing to write ${path || 'a value'} to a plist: ${Number.isFinite(v) ? 'not a safe integer' : 'not a finite number'}`);
  } else if (typeof v === 'string') {
    if (invalidXmlCharIndex(v) >= 0) throw new InternalError(`refusing to write ${path || 'a string'} to a plist: it holds a character XML 1.0 cannot carry`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => assertRenderable(x, `${path}[${i}]`));
  } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      if (invalidXmlCharIndex(k) >= 0) throw new InternalError(`refusing to write a key under ${path || 'the top level'} to a plist: it holds a character XML 1.0 cannot carry`);
      assertRenderable(x, path ? `${path}.${k}` : k);
    }
  }
}

// Legal in XML 1.0 but written as character references: NEL and the Unicode line/paragraph separators (a parser
// that applies XML 1.1 line-end rules, as @xmldom/xmldom does, turns them into "\n"), and what a terminal acts on
// (DEL, C1 controls, bidi overrides), so `cat` of a plist is safe. Only text content can hold them: element names,
// the declaration and the DOCTYPE are fixed ASCII.
const AS_REFERENCE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"';

const escapeText = (s: string): string => {
  if (invalidXmlCharIndex(s) >= 0) throw new InternalError('refusing to write a character XML 1.0 cannot carry to a plist');
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
};

const element = (indent: string, tag: string, text: string): string => (text === '' ? `${indent}<${tag}/>\n` : `${indent}<${tag}>${text}</${tag}>\n`);

/**
 * The plist library's XML writer (plist.build with xmlbuilder, tab indent, "\n" line ends), byte for byte
 * (test/launchd/plist-render.test.ts checks it against the library): written out here because xmlbuilder was a fifth
 * of what validate and plan load and compile at every start (README, "Performance"). Same value rules as the
 * library: null and undefined are left out (with their key), a number is an <integer> when it has no fraction.
 */
function writeValue(v: unknown, depth: number): string {
  const indent = '\t'.repeat(depth);
  const container = (tag: string, inner: string) => (inner === '' ? `${indent}<${tag}/>\n` : `${indent}<${tag}>\n${inner}${indent}</${tag}>\n`);
  if (Array.isArray(v)) return container('array', v.map((x) => writeValue(x, depth + 1)).join(''));
  if (v instanceof ArrayBuffer) return element(indent, 'data', Buffer.from(v).toString('base64'));
  if (ArrayBuffer.isView(v)) return element(indent, 'data', Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
    let inner = '';
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || x === null) continue;
      inner += element(`${indent}\t`, 'key', escapeText(k)) + writeValue(x, depth + 1);
    }
    return container('dict', inner);
  }
  if (typeof v === 'number') return element(indent, v % 1 === 0 ? 'integer' : 'real', v.toString());
  if (typeof v === 'bigint') return element(indent, 'integer', v.toString());
  if (v instanceof Date) return element(indent, 'date', v.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (typeof v === 'boolean') return `${indent}<${v ? 'true' : 'false'}/>\n`;
  if (typeof v === 'string') return element(indent, 'string', escapeText(v));
  return '';
}

/** XML plist text of `value` as plist.build(value, { indent: '\t', newline: '\n' }) writes it. */
export function plistXml(value: unknown): string {
  const inner = writeValue(value, 1);
  return inner === '' ? `${HEADER}/>` : `${HEADER}>\n${inner}</plist>`;
}

function xmlText(dict: PlistDict): string {
  const xml = plistXml(sorted(dict));
  return `${xml.replace(AS_REFERENCE, (c) => `&#x${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()};`)}\n`;
}

/**
 * XML plist text with keys sorted at every level and tab indentation, as Apple's tools write it.
 * Deterministic: the same dict always gives the same bytes, so comparing bytes is the change test.
 */
export function renderPlist(dict: PlistDict): string {
  assertRenderable(dict, '');
  return xmlText(dict);
}

/** A copy of a plist read from disk that renderPlist accepts: characters XML cannot carry escaped, big integers exact. */
function displayable(v: unknown): PlistData {
  if (typeof v === 'string') return escapeInvalidXml(v);
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return BigInt(v) as unknown as PlistData;
  if (Array.isArray(v)) return v.map(displayable);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [escapeInvalidXml(k), displayable(x)]));
  }
  return v as PlistData;
}

function escapeInvalidXml(s: string): string {
  if (invalidXmlCharIndex(s) < 0) return s;
  return [...s].map((c) => (invalidXmlCharIndex(c) >= 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

/**
 * XML text of a plist someone else wrote (the installed file, for plan's diff): never throws on what a hand-edited
 * or binary plist may hold (control characters, reals, integers past 2^53), since it is only shown, never written.
 */
export function renderPlistView(dict: PlistDict): string {
  return xmlText(displayable(dict) as PlistDict);
}
