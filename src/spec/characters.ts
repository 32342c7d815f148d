import type { Diagnostic } from '../model/diagnostic.js';
import { codePointName, invalidXmlCharIndex } from '../launchd/xml-chars.js';

type Located = Omit<Diagnostic, 'line' | 'col'> & { at?: 'key' | 'value' };

const HINT = 'a launchd plist is XML 1.0, which cannot hold control characters other than tab, newline and carriage return: remove it';

function describe(s: string, i: number): string {
  const name = codePointName(s, i);
  const c = s.charCodeAt(i);
  if (c === 0x1b) return `${name} (ESC, which starts terminal escape sequences)`;
  if (c < 0x20) return `${name} (a control character)`;
  if (c >= 0xd800 && c <= 0xdfff) return `${name} (half of a surrogate pair)`;
  return `${name} (not a character)`;
}

/**
 * Every string in the document, keys included, that XML 1.0 cannot carry (and the key `__proto__`): args, env, paths, labels and plist_extra
 * at any depth all end up in a plist. Checked on the plain YAML value, so each problem is reported once, located,
 * whatever else is wrong with the document.
 */
export function invalidCharacterProblems(value: unknown): Located[] {
  const out: Located[] = [];
  const visit = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      const i = invalidXmlCharIndex(v);
      if (i >= 0) out.push({ severity: 'error', code: 'spec.invalid-character', path, message: `contains ${describe(v, i)} at position ${i + 1}`, hint: HINT });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
        // A JavaScript object cannot hold the key __proto__ as data (assigning it sets the prototype): it would vanish
        // from the plist without a word, so it is refused like a character the plist cannot carry.
        if (key === '__proto__') {
          out.push({ severity: 'error', code: 'spec.reserved-key', path: [...path, key], at: 'key', message: 'the key "__proto__" cannot be carried into a plist by lotusctl', hint: 'rename or remove it' });
          continue;
        }
        const i = invalidXmlCharIndex(key);
        if (i >= 0) {
          out.push({ severity: 'error', code: 'spec.invalid-character', path: [...path, key], at: 'key', message: `the key contains ${describe(key, i)} at position ${i + 1}`, hint: HINT });
          continue;
        }
        visit(child, [...path, key]);
      }
    }
  };
  visit(value, []);
  return out;
}
