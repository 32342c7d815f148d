// A plan of an unchanged machine does not parse its plists: a file whose bytes are exactly lotusctl's rendering of
// the desired dict is taken as that dict (src/observe/plist-bytes.ts). That is only right if parsing those bytes
// gives the same file facts, for every dict lotusctl may render: checked here against the parser.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPlist } from '../../src/launchd/plist-render.js';
import { invalidXmlCharIndex } from '../../src/launchd/xml-chars.js';
import type { PlistData, PlistDict } from '../../src/model/desired.js';
import { knownPlistFile, readPlistBytes } from '../../src/observe/plist-bytes.js';
import { parsedPlistFile } from '../../src/observe/plist-file.js';
import { sha256 } from '../../src/plan/digest.js';

const dir = mkdtempSync(join(tmpdir(), 'plist-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text`, then reads it both ways: known as `dict`'s rendering, and parsed. */
function bothWays(dict: PlistDict, text = renderPlist(dict)) {
  const path = join(dir, 'job.plist');
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  const read = readPlistBytes(path);
  if (!('bytes' in read)) throw new Error('the file vanished');
  return { known: knownPlistFile(read, { digest: sha256(renderPlist(dict)), dict }), parsed: parsedPlistFile(read) };
}

const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => invalidXmlCharIndex(s) < 0);
// validate refuses the key __proto__ (no JavaScript object holds it as data): no dict lotusctl renders has it.
const key = text.filter((s) => s !== '__proto__');
const value: fc.Arbitrary<PlistData> = fc.letrec<{ v: PlistData }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 3 }),
  ),
})).v;
const dict = fc.dictionary(key, value, { maxKeys: 5 });

describe('a plist with exactly the bytes lotusctl would write', () => {
  it('gives what parsing it gives, for tricky values', () => {
    const tricky: PlistDict = {
      Label: 'com.lotusctl.daemon',
      ProgramArguments: ['/missing/lotus', 'daemon', '', '  spaced  ', 'a\r\nb', 'tab\there', '<&>"\'', '\u0085\u2028\u202e\u007f', 'é中😀'],
      EnvironmentVariables: { EMPTY: '', LOTUS_PATH: '/Users/alice/.lotus' },
      KeepAlive: { SuccessfulExit: false },
      Empty: {}, None: [], Big: Number.MAX_SAFE_INTEGER, Negative: -5, Zero: 0,
    };
    const { known, parsed } = bothWays(tricky);
    expect(known).toEqual(parsed);
    expect(known).toMatchObject({ format: 'xml', missingPrograms: ['/missing/lotus'] });
  });

  it('gives what parsing it gives, for any dict renderPlist accepts (property)', () => {
    fc.assert(fc.property(dict, (d) => {
      const { known, parsed } = bothWays(d);
      expect(known).toEqual(parsed);
    }), { numRuns: 300, seed: 20261201 });
  });

  it('is parsed when its bytes differ in any way, even with the same keys and values', () => {
    const d: PlistDict = { Label: 'com.x', ProgramArguments: ['/bin/sleep', '5'] };
    const { known, parsed } = bothWays(d, renderPlist(d).replace('\t', '  '));
    expect(known).toBeUndefined();
    expect(parsed).toMatchObject({ format: 'xml', dict: d });
  });
});
