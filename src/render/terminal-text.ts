// Text from a spec, a plist or launchctl is shown on a terminal, and a terminal acts on some characters instead of
// showing them: C0 controls (ESC starts CSI and OSC sequences that move the cursor, erase lines, set the title or
// the clipboard), DEL, C1 controls (U+009B is an 8-bit CSI, U+009D an OSC), bidirectional overrides and isolates
// (they reorder what is shown: "Trojan Source", CVE-2021-42574), line/paragraph separators and lone surrogates.
// They are shown as JSON-style escapes (`\u001b`), which is also valid inside a JSON string, so the same filter
// serves human and --json output.

const UNSAFE_CHAR = '[\\0-\\x08\\x0A-\\x1F\\x7F-\\x9F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const UNSAFE = new RegExp(UNSAFE_CHAR, 'g');
// lotusctl's own sequences: colours are SGR (src/render/colors.ts: ESC [ digits m), and `status --watch` on a
// terminal starts each round with "cursor home, clear screen".
export const CLEAR_SCREEN = '\u001b[H\u001b[2J';
const OWN_OR_UNSAFE = new RegExp(`\\x1b\\[H\\x1b\\[2J|\\x1b\\[[0-9;]{0,16}m|${UNSAFE_CHAR}`, 'g');

function escapeChar(c: string): string {
  return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/** `s` with every character a terminal would act on escaped (`\u001b`, `\u000a`; a tab stays), for one line of output. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** True when `s` holds a character escapeControls would escape. */
export function hasControls(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * The last line of defence for everything the CLI prints: newlines and tabs stay, lotusctl's own colour codes stay
 * when colour is on, every other character a terminal acts on is escaped. Views escape spec text before they colour
 * it (escapeControls), so a colour sequence that reaches this point is one lotusctl made.
 */
export function terminalSafe(s: string, keepColors: boolean, keepClear = false): string {
  return s.replace(OWN_OR_UNSAFE, (m) => {
    if (m === CLEAR_SCREEN) return keepClear ? m : m.replace(UNSAFE, escapeChar);
    if (m.length > 1) return keepColors ? m : m.replace(UNSAFE, escapeChar);
    return m === '\n' ? m : escapeChar(m);
  });
}
