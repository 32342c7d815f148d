import { buildBinary } from 'plist';
import { describe, expect, it, vi } from 'vitest';
import { parsePlistBytes } from '../../src/launchd/plist-parse.js';
import { renderPlist } from '../../src/launchd/plist-render.js';

const xml = renderPlist({ Label: 'com.x', ProgramArguments: ['/bin/x'] });
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('parsePlistBytes', () => {
  it('reads XML and binary plists to the same dict', () => {
    const a = parsePlistBytes(bytes(xml));
    const b = parsePlistBytes(buildBinary({ Label: 'com.x', ProgramArguments: ['/bin/x'] }));
    expect(a).toEqual({ format: 'xml', dict: { Label: 'com.x', ProgramArguments: ['/bin/x'] } });
    expect(b).toMatchObject({ format: 'binary', dict: { Label: 'com.x' } });
  });

  it('garbage, trailing content and a non-dict are invalid, with a located problem and nothing printed', () => {
    const spy = vi.spyOn(process.stderr, 'write');
    const err = vi.spyOn(console, 'error');
    expect(parsePlistBytes(bytes('<plist><dict><key>a</key><string>x</dict>&&&'))).toMatchObject({ format: 'invalid', problem: expect.stringMatching(/mismatch/) });
    expect(parsePlistBytes(bytes(`${xml}\u0001zz`))).toMatchObject({ format: 'invalid', problem: expect.stringMatching(/^Extra content at the end of the document \(line \d+, col \d+\)$/) });
    expect(parsePlistBytes(bytes(renderPlist(['a'] as never)))).toEqual({ format: 'invalid', problem: 'its top level is not a dictionary' });
    expect(spy).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
    spy.mockRestore();
    err.mockRestore();
    // console is restored afterwards
    expect(typeof console.error).toBe('function');
  });
});
