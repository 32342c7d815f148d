import { parse, parseBinary } from 'plist';
import type { PlistDict } from '../model/desired.js';

export type ParsedPlist =
  | { readonly format: 'xml' | 'binary'; readonly dict: PlistDict }
  | { readonly format: 'invalid'; readonly problem: string };

const isDict = (v: unknown): v is PlistDict =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

/**
 * Runs `fn` with console.error/warn captured. The plist library parses XML with xmldom, which reports every
 * problem on console.error (`[xmldom error] …`) and may still return a value: the messages are collected instead
 * of reaching the user's terminal, and any error makes the plist invalid. Synchronous, so nothing else runs meanwhile.
 */
function capturingConsole<T>(fn: () => T): { value?: T; thrown?: unknown; messages: string[] } {
  const messages: string[] = [];
  const { error, warn } = console;
  const collect = (level: string) => (...args: unknown[]) => messages.push(`${level}:${args.map(String).join(' ')}`);
  console.error = collect('error');
  console.warn = collect('warning');
  try {
    return { value: fn(), messages };
  } catch (e) {
    return { thrown: e, messages };
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

/** `[xmldom error]\tExtra content at the end of the document\n@#[line:1,col:34]` -> `Extra content at the end of the document (line 1, col 34)`. */
function xmldomProblem(message: string): string {
  const text = message.replace(/^\w+:/, '').replace(/^\[xmldom [^\]]*\]\s*/, '');
  const [what, where] = text.split(/\s*@#/);
  const at = /line:(\d+),col:(\d+)/.exec(where ?? '');
  return `${(what ?? '').trim()}${at ? ` (line ${at[1]}, col ${at[2]})` : ''}`;
}

/**
 * Parses plist bytes, XML or binary, as launchd would accept them: a dict at the top, and no XML error anywhere
 * (trailing garbage included). Never throws and never prints; the problem is described without quoting the content.
 */
export function parsePlistBytes(bytes: Uint8Array): ParsedPlist {
  const binary = Buffer.from(bytes.subarray(0, 8)).toString('latin1') === 'bplist00';
  const r = capturingConsole(() => (binary ? parseBinary(Buffer.from(bytes)) : parse(Buffer.from(bytes).toString('utf8'))));
  const errors = r.messages.filter((m) => !m.startsWith('warning:') && !m.includes('[xmldom warning]'));
  if (r.thrown !== undefined || errors.length > 0) {
    const first = errors[0] !== undefined ? xmldomProblem(errors[0]) : String((r.thrown as Error)?.message ?? r.thrown);
    return { format: 'invalid', problem: first.slice(0, 200) || 'unreadable' };
  }
  if (!isDict(r.value)) return { format: 'invalid', problem: 'its top level is not a dictionary' };
  return { format: binary ? 'binary' : 'xml', dict: r.value };
}
