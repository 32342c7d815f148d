// Tolerant reader for the `launchctl print` grammar (specs/launchd-behaviour.md §5). Apple says this output is "NOT API",
// so this layer only builds a tree of lines; meaning lives in the parse-* modules. It never throws.

/** `key = value` or `key => value`. `value` runs to end of line (trailing whitespace removed) and may be ''. */
export interface PrintEntry {
  kind: 'entry';
  key: string;
  op: '=' | '=>';
  value: string;
  line: number;
}

/**
 * `key = {` / `key => {` / `key => [` up to its closing `}` / `]`.
 * `closed` is false when the input ended first (truncated paste): callers must not trust such a block as complete.
 */
export interface PrintBlock {
  kind: 'block';
  key: string;
  op: '=' | '=>';
  bracket: '{' | '[';
  children: PrintNode[];
  closed: boolean;
  line: number;
}

/** Any other non-blank line (list item, table row, flag line such as `uid unset`), without its indentation. */
export interface PrintBare {
  kind: 'bare';
  text: string;
  line: number;
}

export type PrintNode = PrintEntry | PrintBlock | PrintBare;

/**
 * Sections whose lines are user data (argv, environment) and so are kept verbatim as bare lines:
 * an argument like `a = {` must not open a block. Only a lone `}` ends them (an argument that is exactly `}` is
 * indistinguishable from the closer in launchctl's own output).
 */
export const RAW_SECTIONS: ReadonlySet<string> = new Set([
  'arguments',
  'environment',
  'inherited environment',
  'default environment',
  'global environment',
]);

const OPENER = /^(.*\S)\s+(=>|=)\s+([{[])$/;

/**
 * Reads text into a tree under a synthetic root block (key ''). Any leading whitespace counts as indentation.
 * When a block is still open at the end and the text does not end with a newline, the last line was cut mid-way
 * (`pid = 92` of `pid = 928`), so it is dropped rather than read.
 */
export function parsePrintTree(text: string, rawSections: ReadonlySet<string> = RAW_SECTIONS): PrintBlock {
  const lines = String(text).split(/\r\n|\r|\n/);
  const tree = buildTree(lines, rawSections);
  const last = (lines[lines.length - 1] ?? '').trim();
  if (!tree.complete && last !== '' && last !== '}' && last !== ']') return buildTree(lines.slice(0, -1), rawSections).root;
  return tree.root;
}

function buildTree(lines: readonly string[], rawSections: ReadonlySet<string>): { root: PrintBlock; complete: boolean } {
  const root: PrintBlock = { kind: 'block', key: '', op: '=', bracket: '{', children: [], closed: true, line: 0 };
  const stack: PrintBlock[] = [root];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const t = (lines[i] ?? '').trim();
    if (t === '') continue;
    const top = stack[stack.length - 1] ?? root;
    const raw = top !== root && top.bracket === '{' && rawSections.has(top.key);
    if (t === '}' || (t === ']' && !raw)) {
      // A stray closer at the root is ignored; a mismatched kind (`}` for `[`) still closes, as brace counting would.
      if (top !== root) {
        top.closed = true;
        stack.pop();
      }
      continue;
    }
    if (raw) {
      top.children.push({ kind: 'bare', text: t, line: lineNo });
      continue;
    }
    const open = t.endsWith('{') || t.endsWith('[') ? OPENER.exec(t) : null;
    if (open !== null || t === '{') {
      const block: PrintBlock = {
        kind: 'block',
        key: open?.[1] ?? '',
        op: open?.[2] === '=>' ? '=>' : '=',
        bracket: open?.[3] === '[' ? '[' : '{',
        children: [],
        closed: false,
        line: lineNo,
      };
      top.children.push(block);
      stack.push(block);
      continue;
    }
    top.children.push(readLine(t, lineNo));
  }
  return { root, complete: stack.length === 1 };
}

/** Splits one line on the FIRST operator (` = ` or ` => `, whichever comes first); otherwise a bare line. */
function readLine(t: string, line: number): PrintNode {
  const eq = t.indexOf(' = ');
  const arrow = t.indexOf(' => ');
  if (eq > 0 && (arrow < 0 || eq < arrow)) {
    return { kind: 'entry', key: t.slice(0, eq).trim(), op: '=', value: t.slice(eq + 3).trim(), line };
  }
  if (arrow > 0) {
    return { kind: 'entry', key: t.slice(0, arrow).trim(), op: '=>', value: t.slice(arrow + 4).trim(), line };
  }
  // `properties = ` with its trailing space stripped by a paste or by trim().
  if (t.endsWith(' =>') && t.length > 3) return { kind: 'entry', key: t.slice(0, -3).trim(), op: '=>', value: '', line };
  if (t.endsWith(' =') && t.length > 2) return { kind: 'entry', key: t.slice(0, -2).trim(), op: '=', value: '', line };
  return { kind: 'bare', text: t, line };
}

/** The document's header block (`<name> = {`) if the first node is a block; undefined otherwise. */
export function headerBlock(root: PrintBlock): PrintBlock | undefined {
  const first = root.children[0];
  return first?.kind === 'block' ? first : undefined;
}

/** Values of every direct `key = value` child (op `=`), in order. */
export function scalars(block: PrintBlock, key: string): string[] {
  const out: string[] = [];
  for (const c of block.children) if (c.kind === 'entry' && c.op === '=' && c.key === key) out.push(c.value);
  return out;
}

/** The value of a direct `key = value` child; undefined if missing or printed more than once with different values. */
export function scalar(block: PrintBlock, key: string): string | undefined {
  const vs = scalars(block, key);
  const first = vs[0];
  return first !== undefined && vs.every((v) => v === first) ? first : undefined;
}

/** The single direct child block named `key`; undefined if missing or duplicated. */
export function childBlock(block: PrintBlock, key: string): PrintBlock | undefined {
  const found = block.children.filter((c): c is PrintBlock => c.kind === 'block' && c.key === key);
  return found.length === 1 ? found[0] : undefined;
}

/** Bare lines of a list section (`arguments`, `subdomains`, table rows). */
export function readList(block: PrintBlock): string[] {
  const out: string[] = [];
  for (const c of block.children) if (c.kind === 'bare') out.push(c.text);
  return out;
}

/** Every `k => v` line of a section, in order, duplicates included (entries, or verbatim lines of a raw section). */
export function readPairs(block: PrintBlock): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const c of block.children) {
    if (c.kind === 'entry' && c.op === '=>') out.push([c.key, c.value]);
    else if (c.kind === 'bare') {
      const i = c.text.indexOf(' => ');
      if (i > 0) out.push([c.text.slice(0, i).trim(), c.text.slice(i + 4).trim()]);
      else if (c.text.endsWith(' =>') && c.text.length > 3) out.push([c.text.slice(0, -3).trim(), '']);
    }
  }
  return out;
}

/** `k => v` lines of a map section. A key printed twice with different values is dropped rather than guessed. */
export function readMap(block: PrintBlock): Map<string, string> {
  return uniqueMap(readPairs(block));
}

/** Builds a map from pairs, dropping every key that comes with two different values. */
export function uniqueMap<V>(pairs: Iterable<readonly [string, V]>): Map<string, V> {
  const out = new Map<string, V>();
  const conflicted = new Set<string>();
  for (const [k, v] of pairs) {
    if (k === '' || conflicted.has(k)) continue;
    if (out.has(k) && out.get(k) !== v) {
      out.delete(k);
      conflicted.add(k);
    } else {
      out.set(k, v);
    }
  }
  return out;
}

/** `"label"` -> `label`; unquoted text is returned trimmed. */
export function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** `a | b | c` -> ['a','b','c']; '' -> []. */
export function splitProperties(value: string): string[] {
  return value
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A decimal integer written alone (`-3`, `42`); anything else (`abc`, `4.2`, `1e3`, `42 MB`) is undefined. */
export function readInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n + 0 : undefined; // + 0 turns -0 into 0
}
