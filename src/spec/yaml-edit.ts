// Edits to lotus.yaml that keep everything else byte for byte: comments, their columns, quoting, flow or block style.
// yaml's Document API finds the nodes and their source ranges; the edit itself splices the text, so a diff of the
// result shows only the lines that changed (re-printing the whole Document would realign every comment). Pure.
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type YAMLMap } from 'yaml';
import { LotusctlError } from '../model/errors.js';
import { canonicalJson } from '../plan/digest.js';

export type YamlPath = readonly (string | number)[];

/** Set `path` to `value`, creating missing mappings on the way. `comment` goes on the line above a newly added key. */
export interface YamlSet {
  readonly path: YamlPath;
  readonly value: unknown;
  readonly comment?: string;
}

const SMALL = 60;

/** Flow style (`{ soft: 16384, hard: 65536 }`, `[daemon]`) for short collections of scalars, block style for the rest. */
function styleSmallCollections(node: Node): void {
  visit(node, {
    Map(_k, n) {
      if (n.items.length > 0 && n.items.every((p) => isScalar(p.value)) && JSON.stringify(n.toJSON()).length <= SMALL) n.flow = true;
    },
    Seq(_k, n) {
      if (n.items.every((i) => isScalar(i)) && JSON.stringify(n.toJSON()).length <= SMALL) n.flow = true;
    },
  });
}

/** `[ a, b ]` -> `[a, b]` (as lotus.yaml.example writes lists), keeping `{ a: 1 }`: yaml pads both or neither. */
function tightSeqs(text: string): string {
  const spans: Array<[number, number]> = [];
  visit(parseDocument(text), {
    Seq(_k, n) {
      if (n.flow && n.range && n.items.length > 0) spans.push([n.range[0], n.range[1]]);
    },
  });
  let out = text;
  for (const [start, end] of spans.sort((a, b) => b[0] - a[0])) {
    const close = out.lastIndexOf(']', end);
    if (out.slice(start, start + 2) === '[ ' && out.slice(close - 1, close + 1) === ' ]') out = `${out.slice(0, start)}[${out.slice(start + 2, close - 1)}]${out.slice(close + 1)}`;
  }
  return out;
}

/** `key: value` as YAML lines at `indent` spaces, small collections in flow style. Ends with a newline. */
export function yamlBlock(key: string | number, value: unknown, indent: number, step = 2, comment?: string): string {
  const doc = new Document({ [key]: value });
  const top = doc.contents as YAMLMap;
  const inner = top.items[0]?.value;
  if (inner && (isMap(inner) || isSeq(inner))) styleSmallCollections(inner);
  const text = tightSeqs(doc.toString({ indent: step, lineWidth: 0, flowCollectionPadding: true }));
  const pad = ' '.repeat(indent);
  const lines = text.replace(/\n$/, '').split('\n').map((l) => (l === '' ? l : pad + l));
  const head = comment === undefined ? [] : comment.split('\n').map((c) => `${pad}# ${c}`.trimEnd());
  return `${[...head, ...lines].join('\n')}\n`;
}

/** A whole new document (top-level mapping), small collections in flow style, `header` as leading comment lines. */
export function yamlDocument(value: Record<string, unknown>, header: readonly string[] = [], step = 2): string {
  const body = Object.entries(value).map(([k, v]) => yamlBlock(k, v, 0, step)).join('');
  const head = header.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n');
  return head === '' ? body : `${head}\n${body}`;
}

/** A scalar or a small flow collection on one line, as it goes after `key: ` (also how views show a value). */
export function inlineValue(value: unknown): string {
  const doc = new Document(value);
  if (doc.contents && (isMap(doc.contents) || isSeq(doc.contents))) (doc.contents as { flow: boolean }).flow = true;
  return tightSeqs(doc.toString({ lineWidth: 0, flowCollectionPadding: true })).replace(/\n$/, '');
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The indentation one nesting level adds in this file (2 unless the file shows otherwise). */
export function indentStep(text: string): number {
  const doc = parseDocument(text);
  let step: number | undefined;
  visit(doc, {
    Pair(_k, pair) {
      if (step !== undefined) return visit.BREAK;
      const k = pair.key as Node | null;
      const v = pair.value as Node | null;
      if (isMap(v) && !v.flow && k?.range && v.items[0]) {
        const inner = (v.items[0].key as Node | null)?.range;
        if (inner) {
          const d = column(text, inner[0]) - column(text, k.range[0]);
          if (d > 0) step = d;
        }
      }
      return undefined;
    },
  });
  return step ?? 2;
}

function nest(path: YamlPath, value: unknown): unknown {
  return path.reduceRight<unknown>((acc, seg) => ({ [String(seg)]: acc }), value);
}

/** Where the trailing comment of line `line` starts and the value before it ends, from the parser's node ranges. */
function lineComment(text: string, line: number): { valueEnd: number; hash: number } | undefined {
  let found: { valueEnd: number; hash: number } | undefined;
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  const check = (n: Node) => {
    const r = n.range;
    if (found || !r || r[2] <= r[1]) return;
    const gap = /^[ \t]+#/.exec(text.slice(r[1], r[2]));
    if (gap && lineOf(r[1]) === line) found = { valueEnd: r[1], hash: r[1] + gap[0].length - 1 };
  };
  visit(parseDocument(text), { Scalar: (_k, n) => check(n), Map: (_k, n) => check(n), Seq: (_k, n) => check(n) });
  return found;
}

/** After an edit on one line, puts that line's trailing comment back in the column it had (at least one space away). */
function keepCommentColumn(before: string, after: string, offset: number): string {
  if (before.split('\n').length !== after.split('\n').length) return after;
  const line = before.slice(0, offset).split('\n').length - 1;
  const was = lineComment(before, line);
  const now = lineComment(after, line);
  if (!was || !now) return after;
  const want = column(before, was.hash);
  const pad = Math.max(1, want - column(after, now.valueEnd));
  return after.slice(0, now.valueEnd) + ' '.repeat(pad) + after.slice(now.hash);
}

/** Apply one set: replace an existing value in place, or add the first missing key to the deepest existing mapping. */
function applyOne(text: string, edit: YamlSet, step: number): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  let node: Node | null = doc.contents as Node | null;
  let parent: YAMLMap | undefined;
  let i = 0;
  for (; i < edit.path.length; i++) {
    if (!isMap(node)) break;
    const seg = String(edit.path[i]);
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
    if (!pair) break;
    parent = node;
    node = pair.value as Node | null;
  }
  if (i === edit.path.length) {
    // The key exists: replace its value's text (a trailing comment on the line stays).
    if (!node?.range) throw new LotusctlError('yaml.edit', `cannot edit ${edit.path.join('.')}: its value has no position`);
    const [start, end] = node.range;
    const isBlock = (isMap(node) || isSeq(node)) && !node.flow;
    if (!isBlock) {
      const trailingNewline = text.slice(start, end).endsWith('\n') ? '\n' : '';
      return keepCommentColumn(text, text.slice(0, start) + inlineValue(edit.value) + trailingNewline + text.slice(end), start);
    }
    // A block collection: rewrite the whole `key: value` block at the key's indentation.
    const pair = parent?.items.find((p) => p.value === node);
    const keyNode = pair?.key as Node | undefined;
    if (!keyNode?.range) throw new LotusctlError('yaml.edit', `cannot edit ${edit.path.join('.')}`);
    const lineStart = text.lastIndexOf('\n', keyNode.range[0] - 1) + 1;
    let p = end;
    while (p > 0 && /\s/.test(text[p - 1] as string)) p--;
    const blockEnd = text.indexOf('\n', p) + 1 || text.length;
    // Keep a comment that followed `key:` on its line.
    const keyLineEnd = text.indexOf('\n', keyNode.range[1]);
    const afterKey = text.slice(keyNode.range[1], keyLineEnd === -1 ? text.length : keyLineEnd);
    const comment = /^:?\s+(#.*)$/.exec(afterKey)?.[1];
    const block = yamlBlock(String(edit.path[edit.path.length - 1]), edit.value, column(text, keyNode.range[0]), step);
    const firstEol = block.indexOf('\n');
    const first = block.slice(0, firstEol);
    const hashCol = column(text, keyNode.range[1] + afterKey.indexOf('#'));
    const withComment = comment === undefined ? first : `${first.padEnd(Math.max(hashCol, first.length + 1))}${comment}`;
    return text.slice(0, lineStart) + withComment + block.slice(firstEol) + text.slice(blockEnd);
  }
  if (!isMap(node)) throw new LotusctlError('yaml.edit', `cannot add ${edit.path.join('.')}: ${edit.path.slice(0, i).join('.') || 'the document'} is not a mapping`);
  const key = String(edit.path[i]);
  const value = nest(edit.path.slice(i + 1), edit.value);
  if (node.flow || node.items.length === 0) {
    // `{ a: 1 }` -> `{ a: 1, key: value }`; `{}` -> `{ key: value }`.
    if (!node.range) throw new LotusctlError('yaml.edit', `cannot add ${edit.path.join('.')}`);
    const close = text.lastIndexOf('}', node.range[1]);
    if (close < node.range[0]) throw new LotusctlError('yaml.edit', `cannot add ${edit.path.join('.')}: ${edit.path.slice(0, i).join('.')} is not a flow mapping`);
    const entry = `${inlineValue({ [key]: value }).replace(/^\{ ?|,? ?\}$/g, '')}`;
    const before = text.slice(node.range[0], close).trimEnd();
    const sep = before.endsWith('{') ? ' ' : ', ';
    return keepCommentColumn(text, `${text.slice(0, node.range[0])}${before}${sep}${entry} ${text.slice(close)}`, node.range[0]);
  }
  // A block mapping: a new line after its last entry, at the indentation of its keys.
  const first = node.items[0]?.key as Node | undefined;
  const last = node.items[node.items.length - 1];
  const lastEnd = (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node | null)?.range?.[1];
  if (!first?.range || lastEnd === undefined) throw new LotusctlError('yaml.edit', `cannot add ${edit.path.join('.')}`);
  const indent = column(text, first.range[0]);
  // After the line of the last entry's last character: a block value's range also covers the blank lines after it.
  let p = lastEnd;
  while (p > 0 && /\s/.test(text[p - 1] as string)) p--;
  const eol = text.indexOf('\n', p);
  const at = eol === -1 ? text.length : eol + 1;
  const prefix = eol === -1 ? '\n' : '';
  return text.slice(0, at) + prefix + yamlBlock(key, value, indent, step, edit.comment) + text.slice(at);
}

function setIn(target: unknown, path: YamlPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  const [head, ...rest] = path;
  obj[String(head)] = setIn(obj[String(head)], rest, value);
  return obj;
}

/**
 * Apply the sets in order and return the new text. Checks that the result parses to exactly what the sets ask for,
 * and throws yaml.edit otherwise (it never writes a file that says something else).
 */
export function applyYamlEdits(text: string, edits: readonly YamlSet[]): string {
  const step = indentStep(text);
  let out = text;
  let want: unknown = parseDocument(text).toJS();
  for (const e of edits) {
    out = applyOne(out, e, step);
    want = setIn(want, e.path, e.value);
  }
  const doc = parseDocument(out);
  if (doc.errors.length > 0 || canonicalJson(doc.toJS()) !== canonicalJson(want)) {
    throw new LotusctlError('yaml.edit', 'editing lotus.yaml in place did not give the expected document', {
      hint: 'this is a bug in lotusctl; please report it with the file (secrets removed)',
      details: doc.errors.map((er) => er.message.split('\n')[0] ?? ''),
    });
  }
  return out;
}
