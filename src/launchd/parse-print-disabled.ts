import { parsePrintTree, readPairs, uniqueMap, unquote, type PrintBlock } from './print-grammar.js';

// macOS ≤12 prints true/false, 13+ prints disabled/enabled (specs/launchd-behaviour.md §6); both spellings are accepted.
const STATES: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['disabled', true],
  ['false', false],
  ['enabled', false],
]);

/**
 * Parses `launchctl print-disabled <domain>`: label -> true when disabled, false when explicitly enabled.
 * A label missing from the result has no override (or was cut off in a truncated paste). Lines with an unreadable
 * state, labels listed twice with different states, and the `login item associations` section are left out.
 * Never throws.
 */
export function parsePrintDisabled(text: string): Record<string, boolean> {
  return readDisabledServices(findDisabledSections(parsePrintTree(text)));
}

/** Every `disabled services = { … }` block under `block`, not looking inside `login item associations`. */
export function findDisabledSections(block: PrintBlock): PrintBlock[] {
  const out: PrintBlock[] = [];
  for (const c of block.children) {
    if (c.kind !== 'block' || c.key === 'login item associations') continue;
    if (c.key === 'disabled services') out.push(c);
    else out.push(...findDisabledSections(c));
  }
  return out;
}

/** Reads `"label" => state` lines of the given sections into label -> disabled. */
export function readDisabledServices(sections: readonly PrintBlock[]): Record<string, boolean> {
  const pairs: Array<[string, boolean]> = [];
  for (const section of sections) {
    for (const [rawLabel, rawState] of readPairs(section)) {
      const state = STATES.get(rawState.trim().toLowerCase());
      if (state !== undefined) pairs.push([unquote(rawLabel), state]);
    }
  }
  // Compared by meaning, so `true` and `disabled` for one label agree.
  return Object.fromEntries(uniqueMap(pairs));
}
