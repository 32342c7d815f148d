import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';

/** Refuse big files before parsing: a spec is a few KiB, and the parser's cost grows with size. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Aliases are legal YAML but a spec needs few; a low cap stops a billion-laughs bomb early. */
export const MAX_ALIASES = 100;

export interface YamlSource {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain JS value, or undefined when the YAML could not be read. */
  readonly value: unknown;
  readonly diagnostics: Diagnostic[];
}

function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/** Parse YAML text, collecting syntax problems (with line:col) instead of throwing. */
export function readYaml(text: string): YamlSource {
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const byteLength = new TextEncoder().encode(text).length;
  if (byteLength > MAX_SPEC_BYTES) {
    const doc = parseDocument('', { lineCounter: lines });
    diagnostics.push({
      severity: 'error', code: 'spec.too-large', path: [], line: 1, col: 1,
      message: `the file is ${byteLength} bytes; a spec may be at most ${MAX_SPEC_BYTES} bytes`,
      hint: 'a lotus.yaml is a few kilobytes: check that this is the right file',
    });
    return { doc, lines, value: undefined, diagnostics };
  }
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: true });
  let deepReported = false;
  for (const e of doc.errors) {
    // The parser recurses per nesting level and reports running out of stack as an error at the deepest point.
    const tooDeep = /Maximum call stack size exceeded/.test(e.message);
    if (tooDeep && deepReported) continue;
    deepReported ||= tooDeep;
    const code = e.code === 'DUPLICATE_KEY' ? 'spec.duplicate-key' : tooDeep ? 'spec.too-deep' : 'spec.yaml-syntax';
    diagnostics.push({
      severity: 'error', code, path: [], ...position(lines, e.pos[0]),
      message: e.code === 'DUPLICATE_KEY' ? 'this key appears twice in the same mapping' : tooDeep ? 'the document nests too deeply to be read (hundreds of levels)' : firstLine(e.message),
      hint: e.code === 'DUPLICATE_KEY' ? 'remove one of the two; YAML keeps only one of them' : tooDeep ? 'a lotus.yaml needs a few levels of nesting: flatten this value' : 'fix the YAML syntax at this position',
    });
  }
  if (diagnostics.length > 0) return { doc, lines, value: undefined, diagnostics };
  // A plain `~` is YAML's null, but in lotus.yaml every `~` value means the home folder (`working_directory: ~`).
  visit(doc, {
    Scalar(_key, node) {
      if (node.type === 'PLAIN' && node.source === '~') node.value = '~';
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    diagnostics.push({
      severity: 'error', code: 'spec.alias-limit', path: [], line: 1, col: 1,
      message: `the document expands too many aliases (${firstLine(String((e as Error).message))})`,
      hint: `write the values out; at most ${MAX_ALIASES} alias expansions are allowed`,
    });
  }
  const deep = diagnostics.length === 0 ? tooDeepAt(value) : undefined;
  if (deep) {
    const partial: YamlSource = { doc, lines, value, diagnostics };
    diagnostics.push({
      severity: 'error', code: 'spec.too-deep', path: deep, ...locate(partial, deep),
      message: `nested more than ${MAX_NESTING} levels deep`, hint: 'a lotus.yaml needs a few levels of nesting: flatten this value',
    });
    return { doc, lines, value: undefined, diagnostics };
  }
  return { doc, lines, value, diagnostics };
}

/** Every later pass walks the value recursively: a bound on nesting keeps them all far from the stack limit. */
export const MAX_NESTING = 32;

/** The path of the first value nested deeper than MAX_NESTING, found without recursion; undefined when none is. */
function tooDeepAt(value: unknown): (string | number)[] | undefined {
  const stack: Array<{ v: unknown; path: (string | number)[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: (string | number)[] };
    if (v === null || typeof v !== 'object') continue;
    if (path.length > MAX_NESTING) return path;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else for (const [k, x] of Object.entries(v as Record<string, unknown>)) stack.push({ v: x, path: [...path, k] });
  }
  return undefined;
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).trim();
}

/**
 * The line:col of the node at `path`; for a missing key, the closest existing parent.
 * `at: 'key'` points at a mapping key rather than its value (for unknown keys).
 */
export function locate(src: YamlSource, path: readonly (string | number)[], at: 'value' | 'key' = 'value'): { line: number; col: number } {
  let node: Node | null | undefined = src.doc.contents as Node | null;
  let best = node?.range ? node.range[0] : 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (last && at === 'key' && keyNode.range) return position(src.lines, keyNode.range[0]);
      node = pair.value as Node | null;
      best = node?.range ? node.range[0] : keyNode.range ? keyNode.range[0] : best;
      if (!node && keyNode.range) best = keyNode.range[0];
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      if (item.range) best = item.range[0];
    } else {
      break;
    }
  }
  return position(src.lines, best);
}
