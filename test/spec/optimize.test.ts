import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../src/model/machine.js';
import { optimize, proposedMaxMemory, proposedOpenFiles } from '../../src/spec/optimize.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { applyYamlEdits } from '../../src/spec/yaml-edit.js';

const GIB = 1024 ** 3;
const root = join(import.meta.dirname, '../..');
const mac = (over: Partial<MachineFacts> = {}): MachineFacts => ({
  platform: 'darwin', osVersion: '14.5', cpuCores: 10, memoryBytes: 32 * GIB, maxFilesPerProc: 245760,
  volumes: [{ mount: '/', sizeBytes: 1000 * GIB, freeBytes: 500 * GIB }], ...over,
});
const ctx = { home: '/Users/alice', specPath: '/Users/alice/lotus/lotus.yaml' };

function spec(text: string) {
  const v = validateSpecText(text);
  expect(v.spec, JSON.stringify(v.diagnostics)).toBeDefined();
  return v.spec!;
}

const tuned = `version: 1
services:
  daemon:
    program: /opt/homebrew/bin/lotus
    args: [daemon]
    repo: ~/.lotus
    logs: { dir: ~/Library/Logs/lotus }
    exit_timeout: 120s
    process_type: Interactive
    limits: { open_files: { soft: 16384, hard: 65536 } }
monitor:
  max_memory: 28GiB
`;

/** [path, from, to] of each proposal, for compact expectations. */
const changes = (text: string, facts = mac()) => optimize(spec(text), facts, ctx).proposals.map((p) => [p.path.join('.'), p.from, p.to]);

describe('optimize: decisions for fixed machines', () => {
  it('a tuned node on a 32 GiB Mac: nothing to propose', () => {
    expect(optimize(spec(tuned), mac(), ctx)).toEqual({ proposals: [], notes: [] });
  });

  it.each<[string, string, string, MachineFacts, Array<[string, unknown, unknown]>]>([
    ['the open-files limit Lotus asks for', 'limits: { open_files: { soft: 16384, hard: 65536 } }', 'limits: { open_files: { soft: 256 } }', mac(),
      [['services.daemon.limits.open_files.soft', 256, 16384], ['services.daemon.limits.open_files.hard', undefined, 65536]]],
    ['within kern.maxfilesperproc', 'limits: { open_files: { soft: 16384, hard: 65536 } }', 'limits: { open_files: { soft: 16384, hard: 65536 } }', mac({ maxFilesPerProc: 10240 }),
      [['services.daemon.limits.open_files.soft', 16384, 10240], ['services.daemon.limits.open_files.hard', 65536, 10240]]],
    ['LOTUS_FD_MAX above the hard limit', 'repo: ~/.lotus', 'repo: ~/.lotus\n    env: { LOTUS_FD_MAX: "1000000" }', mac(),
      [['services.daemon.env.LOTUS_FD_MAX', '1000000', '65536']]],
    ['Background, a positive nice and low-priority I/O', 'process_type: Interactive', 'process_type: Background\n    nice: 10\n    low_priority_io: true\n    low_priority_background_io: true', mac(),
      [['services.daemon.process_type', 'Background', 'Interactive'], ['services.daemon.nice', 10, 0], ['services.daemon.low_priority_io', true, false], ['services.daemon.low_priority_background_io', true, false]]],
    ['an unset process type', 'process_type: Interactive', 'nice: -5', mac(), [['services.daemon.process_type', undefined, 'Interactive']]],
    ['no restarts and a hot loop', 'repo: ~/.lotus', 'repo: ~/.lotus\n    keep_alive: false\n    throttle_interval: 2s', mac(),
      [['services.daemon.keep_alive', false, { successful_exit: false }], ['services.daemon.throttle_interval', '2s', '10s']]],
    ['a short and an infinite exit timeout', 'exit_timeout: 120s', 'exit_timeout: 5s', mac(), [['services.daemon.exit_timeout', '5s', '120s']]],
    ['exit_timeout 0 never kills a hung stop', 'exit_timeout: 120s', 'exit_timeout: 0s', mac(), [['services.daemon.exit_timeout', '0s', '300s']]],
    ['logs to /dev/null', 'logs: { dir: ~/Library/Logs/lotus }', 'working_directory: ~', mac(), [['services.daemon.logs', undefined, { dir: '~/Library/Logs/lotus' }]]],
    ['logs in /tmp', 'logs: { dir: ~/Library/Logs/lotus }', 'logs: { stderr: /tmp/lotus.err }', mac(), [['services.daemon.logs.stderr', '/tmp/lotus.err', '~/Library/Logs/lotus/lotus.err']]],
    ['a memory ceiling from a 64 GiB machine', '  max_memory: 28GiB', '  schedule: 30s', mac({ memoryBytes: 64 * GIB }), [['monitor.max_memory', undefined, '56GiB']]],
    ['a memory ceiling above the machine\'s memory', '  max_memory: 28GiB', '  max_memory: 28GiB', mac({ memoryBytes: 16 * GIB }), [['monitor.max_memory', '28GiB', '12GiB']]],
  ])('%s', (_name, find, replace, facts, want) => {
    const text = tuned.replace(find, replace);
    if (facts.memoryBytes === 32 * GIB && facts.maxFilesPerProc === 245760) expect(text, 'the case must change the spec').not.toBe(tuned);
    expect(changes(text, facts)).toEqual(want);
  });

  it('every proposal has a category, a reason and a source', () => {
    const r = optimize(spec('version: 1\nservices:\n  daemon:\n    program: lotus\n    args: [daemon]\n    keep_alive: false\nmonitor: {}\n'), mac(), ctx);
    expect(new Set(r.proposals.map((p) => p.category))).toEqual(new Set(['limits', 'priority', 'restart-policy', 'logging', 'memory-ceiling']));
    for (const p of r.proposals) expect(p.reason.length * p.source.length, JSON.stringify(p)).toBeGreaterThan(0);
  });

  it('leaves services that run no Lotus program alone, and a worker\'s priority', () => {
    expect(changes('version: 1\nservices:\n  helper:\n    program: /usr/bin/true\n    keep_alive: false\n    exit_timeout: 1s\n')).toEqual([]);
    expect(changes(tuned.replace('args: [daemon]', 'args: [run]').replace('/lotus\n', '/lotus-worker\n').replace('process_type: Interactive', 'process_type: Standard'))).toEqual([]);
  });

  it('notes what lotus.yaml cannot change: small machine, little disk, no monitor', () => {
    const r = optimize(spec(tuned.replace(/monitor:\n.*\n/, '')), mac({ memoryBytes: 16 * GIB, cpuCores: 4, volumes: [{ mount: '/', sizeBytes: 500 * GIB, freeBytes: 50 * GIB }] }), ctx);
    expect(r.proposals).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/^no monitor: .* max_memory: 12GiB$/),
      'this Mac has 16GiB of memory; Lotus\'s docs ask for 32 GiB for a full node (a lite node needs 2 GiB)',
      'this Mac has 4 CPU cores; Lotus\'s docs ask for 8 for a full node',
      expect.stringMatching(/^the volume of \/Users\/alice\/\.lotus \(\/\) has 50GiB free/),
    ]);
  });

  it('proposed numbers', () => {
    expect([8, 16, 32, 64, 128].map((g) => proposedMaxMemory(g * GIB))).toEqual(['4GiB', '12GiB', '28GiB', '56GiB', '112GiB']);
    expect(proposedOpenFiles(undefined)).toEqual({ soft: 16384, hard: 65536 });
    expect(proposedOpenFiles(24576)).toEqual({ soft: 16384, hard: 24576 });
  });
});

describe('optimize (property): safe, valid and a fixed point', () => {
  const service = fc.record({
    program: fc.constantFrom('/opt/homebrew/bin/lotus', 'lotus', '/usr/local/bin/lotus-miner', '/x/lotus-worker', '/usr/bin/true'),
    process_type: fc.constantFrom(undefined, 'Background', 'Standard', 'Adaptive', 'Interactive'),
    nice: fc.constantFrom(undefined, -10, 0, 5, 20),
    low_priority_io: fc.constantFrom(undefined, true, false),
    keep_alive: fc.constantFrom(undefined, 'true', 'false', '{ crashed: true }'),
    throttle_interval: fc.constantFrom(undefined, '1s', '10s', '1m'),
    exit_timeout: fc.constantFrom(undefined, '0s', '5s', '120s', '10m'),
    logs: fc.constantFrom(undefined, '{ dir: /tmp/l }', '{ stdout: ~/Desktop/o.log, stderr: ~/Library/Logs/e.log }', '{ dir: ~/Library/Logs/lotus }'),
    open_files: fc.constantFrom(undefined, '{ soft: 256 }', '{ hard: 100 }', '{ soft: 16384, hard: 65536 }', '{ soft: 1000000, hard: 1000000 }'),
    fd_max: fc.constantFrom(undefined, '"16384"', '"999999"'),
  });
  const machine = fc.record({
    memoryBytes: fc.constantFrom(4, 16, 32, 192).map((g) => g * GIB),
    maxFilesPerProc: fc.constantFrom(undefined, 10240, 24576, 245760),
    cpuCores: fc.constantFrom(2, 8, 24),
  });
  const specText = (services: Record<string, Record<string, unknown>>, monitor: string | undefined) => {
    const lines = ['# comment kept', 'version: 1', 'services:'];
    for (const [name, s] of Object.entries(services)) {
      lines.push(`  ${name}:   # ${name}`, `    program: ${s.program}`, '    args: [daemon]');
      for (const k of ['process_type', 'nice', 'low_priority_io', 'keep_alive', 'throttle_interval', 'exit_timeout', 'logs'] as const) if (s[k] !== undefined) lines.push(`    ${k}: ${String(s[k])}`);
      if (s.open_files) lines.push(`    limits: { open_files: ${s.open_files} }`);
      if (s.fd_max) lines.push(`    env: { LOTUS_FD_MAX: ${s.fd_max} }`);
    }
    if (monitor !== undefined) lines.push('monitor:', `  ${monitor}`);
    return `${lines.join('\n')}\n`;
  };

  it('never proposes Background, a positive nice or low-priority I/O; --write gives a valid file that proposes nothing more', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.constantFrom('daemon', 'miner', 'worker'), service, { minKeys: 1, maxKeys: 3 }),
      fc.constantFrom(undefined, 'schedule: 30s', 'max_memory: 1TiB', 'max_memory: 2GiB'),
      machine,
      (services, monitor, m) => {
        const text = specText(services, monitor);
        const v = validateSpecText(text);
        fc.pre(v.spec !== undefined);
        const facts = mac(m);
        const r = optimize(v.spec!, facts, ctx);
        for (const p of r.proposals) {
          const key = p.path[p.path.length - 1];
          expect(key === 'process_type' && p.to === 'Background').toBe(false);
          expect(key === 'nice' && (p.to as number) > 0).toBe(false);
          expect(/low_priority/.test(String(key)) && p.to === true).toBe(false);
        }
        const after = applyYamlEdits(text, r.proposals.map((p) => ({ path: p.path, value: p.to })));
        expect(after.startsWith('# comment kept\n')).toBe(true);
        const again = validateSpecText(after);
        expect(again.diagnostics.filter((d) => d.severity === 'error'), after).toEqual([]);
        expect(optimize(again.spec!, facts, ctx).proposals, after).toEqual([]);
      },
    ), { numRuns: 150, seed: 77 });
  });

  it('every example spec becomes a fixed point after one round', () => {
    for (const f of ['lotus.yaml.example', ...readdirSync(join(root, 'examples')).filter((x) => x.endsWith('.yaml')).map((x) => `examples/${x}`)]) {
      const text = readFileSync(join(root, f), 'utf8');
      const r = optimize(spec(text), mac(), ctx);
      const after = applyYamlEdits(text, r.proposals.map((p) => ({ path: p.path, value: p.to })));
      expect(optimize(spec(after), mac(), ctx).proposals, f).toEqual([]);
    }
  });
});
