import { createPatch } from 'diff';

/** A unified diff of a text file, without createPatch's `Index:` and `===` lines; '' when nothing changed. */
export function unifiedDiff(file: string, before: string, after: string): string {
  return before === after ? '' : createPatch(file, before, after, '', '').split('\n').slice(2).map((l) => (l.startsWith('--- ') || l.startsWith('+++ ') ? l.trimEnd() : l)).join('\n').trimEnd();
}
