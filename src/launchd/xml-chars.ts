// What an XML 1.0 document, and so an XML plist, can carry: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF] (https://www.w3.org/TR/xml/#charsets). The plist library refuses anything else with an error
// that quotes the whole string, so every string bound for a plist is checked against this first, at validate time.

// Other C0 controls, U+FFFE/U+FFFF, and a surrogate that is not half of a pair (no `u` flag: code units are matched).
const INVALID = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The index of the first character XML 1.0 cannot carry, or -1 when every character is allowed. */
export function invalidXmlCharIndex(s: string): number {
  const m = INVALID.exec(s);
  return m ? m.index : -1;
}

/** `U+001B`-style name of the character at `index` (for messages about spec text, never about secrets). */
export function codePointName(s: string, index: number): string {
  const cp = s.codePointAt(index) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
