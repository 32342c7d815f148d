// lotusctl writes plists with its own XML writer (src/launchd/plist-render.ts), which must give the plist library's
// bytes exactly: the files it wrote before stay byte-identical, so a plan after an upgrade changes nothing.
import fc from 'fast-check';
import { build } from 'plist';
import { describe, expect, it } from 'vitest';
import { plistXml, renderPlist } from '../../src/launchd/plist-render.js';

const library = (v: unknown): string => build(v as never, { indent: '\t', newline: '\n' });
const outcome = (f: () => string): { text: string } | { threw: true } => {
  try {
    return { text: f() };
  } catch {
    return { threw: true };
  }
};

// Any UTF-16 code unit, lone surrogates and the characters XML 1.0 cannot carry included.
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 4 }), fc.constantFrom('', ' ', '\r\n', '&<>"\'', ']]>', '\u2028\u0085'));
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, 1e21, -1e-7, NaN, Infinity),
  fc.bigInt(),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 9 }),
  fc.constantFrom(null, undefined),
);
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(text, tie('v'), { maxKeys: 4 })),
})).v;

describe('plistXml', () => {
  it('writes what plist.build writes, and refuses what it refuses (property)', () => {
    fc.assert(fc.property(value, (v) => {
      expect(outcome(() => plistXml(v))).toEqual(outcome(() => library(v)));
    }), { numRuns: 2000 });
  });

  it('writes every kind of value as the library does', () => {
    const v = {
      b: {}, a: [], c: [1, 'x', { d: true }, null, undefined], e: '', f: 'a&b<c>d\r"\'', g: new Uint8Array([1, 2, 3]), g2: new Uint8Array([]), h: new Date(0),
      i: 1.5, j: 12345678901234567890n, k: false, n: null, u: undefined, nested: { deep: [[]], e: {} }, buf: Buffer.from('hi'), ab: new Uint8Array([7]).buffer,
    };
    expect(plistXml(v)).toBe(library(v));
    for (const top of [[], {}, 's', 1, true]) expect(plistXml(top)).toBe(library(top));
  });

  it('renderPlist sorts keys at every level and escapes what a terminal or an XML 1.1 parser would act on', () => {
    expect(renderPlist({ b: 1, a: { d: 'x\u202e', c: ['\u2028'] } })).toBe(`${library({ a: { c: ['&#x2028;'], d: 'x&#x202E;' }, b: 1 }).replace(/&amp;(#x[0-9A-F]+;)/g, '&$1')}\n`);
  });
});
