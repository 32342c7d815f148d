import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../src/model/machine.js';
import { chooseDomain, initSpecText, type InitFacts } from '../../src/spec/init-template.js';
import { optimize } from '../../src/spec/optimize.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { thrown } from '../helpers/thrown.js';

const GIB = 1024 ** 3;
const machine = (over: Partial<MachineFacts> = {}): MachineFacts => ({ platform: 'darwin', cpuCores: 8, memoryBytes: 32 * GIB, volumes: [], ...over });
const facts = (over: Partial<InitFacts> = {}): InitFacts => ({
  domain: 'gui', domainReason: 'test', machine: machine(), today: '2026-08-01',
  lotus: { path: '/opt/homebrew/bin/lotus' },
  repo: { path: '~/.lotus', absolute: '/Users/alice/.lotus', exists: true, from: 'the default ~/.lotus' },
  ...over,
});

describe('chooseDomain', () => {
  it.each<[string | undefined, { uid: number; ssh: boolean }, string]>([
    [undefined, { uid: 501, ssh: false }, 'gui'],
    [undefined, { uid: 501, ssh: true }, 'user'],
    [undefined, { uid: 0, ssh: true }, 'system'],
    ['gui', { uid: 0, ssh: true }, 'gui'],
  ])('--domain %s for %o -> %s', (flag, who, want) => {
    expect(chooseDomain(flag, who).domain).toBe(want);
  });
  it('refuses an unknown domain', () => {
    expect(thrown(() => chooseDomain('login', { uid: 501, ssh: false })).code).toBe('init.bad-domain');
  });
});

describe('initSpecText', () => {
  it('is valid for every kind of machine and leaves optimize nothing to propose', () => {
    const arb = fc.record({
      memoryBytes: fc.constantFrom(4, 8, 16, 32, 96, 512).map((g) => g * GIB),
      maxFilesPerProc: fc.constantFrom(undefined, 10240, 24576, 245760),
      domain: fc.constantFrom('gui', 'user', 'system') as fc.Arbitrary<'gui' | 'user' | 'system'>,
      miner: fc.boolean(),
      found: fc.boolean(),
      repoPath: fc.constantFrom('~/.lotus', '/Volumes/Chain Data/lotus', '~/My Lotus #1'),
    });
    fc.assert(fc.property(arb, (a) => {
      const f = facts({
        domain: a.domain, machine: machine({ memoryBytes: a.memoryBytes, ...(a.maxFilesPerProc !== undefined ? { maxFilesPerProc: a.maxFilesPerProc } : {}) }),
        lotus: { path: a.found ? '/opt/homebrew/bin/lotus' : null },
        repo: { path: a.repoPath, absolute: a.repoPath.replace('~', '/Users/alice'), exists: false, from: 'LOTUS_PATH' },
        ...(a.miner ? { miner: { program: { path: a.found ? '/opt/homebrew/bin/lotus-miner' : null }, repo: { path: '~/.lotusminer', absolute: '/Users/alice/.lotusminer', exists: a.found, from: 'x' } } } : {}),
        ...(a.domain === 'system' ? { runAs: 'alice' } : {}),
      });
      const r = initSpecText(f);
      const v = validateSpecText(r.text);
      expect(v.diagnostics.filter((d) => d.severity === 'error'), r.text).toEqual([]);
      expect(v.spec!.services.daemon?.repo).toBe(a.repoPath);
      expect(optimize(v.spec!, f.machine, { home: '/Users/alice', specPath: '/Users/alice/lotus.yaml' }).proposals, r.text).toEqual([]);
      expect(r.warnings.length > 0).toBe(!a.found || (a.miner && !a.found));
    }), { numRuns: 120, seed: 5 });
  });

  it('says in the file where things were found, and what is missing', () => {
    const r = initSpecText(facts({ lotus: { path: null }, repo: { path: '~/.lotus', absolute: '/Users/alice/.lotus', exists: false, from: 'the default ~/.lotus' } }));
    expect(r.text).toMatch(/ {4}program: lotus +# NOT FOUND on PATH/);
    expect(r.text).toMatch(/ {4}repo: ~\/\.lotus +# none yet \(the default ~\/\.lotus\): lotus creates it on first start/);
    expect(r.warnings).toEqual([expect.stringMatching(/^lotus was not found/)]);
  });
});
