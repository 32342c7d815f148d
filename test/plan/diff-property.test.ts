import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../../src/model/actual.js';
import { simulateApply } from '../helpers/simulate-apply.js';
import { diff, isEmptyPlan } from '../../src/plan/diff.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';

const NOW = '2026-11-30T00:00:00.000Z';

const name = fc.constantFrom('daemon', 'miner', 'worker', 'lite', 'market');
const duration = fc.constantFrom('1s', '10s', '30s', '2m', '5m');
const service = fc.record({
  program: fc.constantFrom('lotus', '/usr/local/bin/lotus-miner', '~/bin/lotus-worker'),
  args: fc.array(fc.constantFrom('daemon', 'run', '--lite', '--api', '1234'), { maxLength: 3 }),
  state: fc.constantFrom('running', 'stopped', 'absent'),
  domain: fc.constantFrom('gui', 'user', 'system'),
  env: fc.dictionary(fc.constantFrom('GOLOG_LOG_LEVEL', 'LOTUS_FD_MAX', 'PATH'), fc.constantFrom('info', '16384', '/usr/bin:/bin')),
  throttle_interval: duration,
  exit_timeout: fc.constantFrom('60s', '120s', '5m'),
  keep_alive: fc.oneof(fc.boolean(), fc.record({ successful_exit: fc.boolean(), crashed: fc.boolean() }, { requiredKeys: [] })),
  run_at_load: fc.boolean(),
  nice: fc.integer({ min: -20, max: 0 }),
  open_files: fc.integer({ min: 16384, max: 1_000_000 }),
  logs: fc.option(fc.constantFrom('~/Library/Logs/lotus', 'logs'), { nil: undefined }),
  secret: fc.boolean(),
});
const specArb = fc.record({
  services: fc.dictionary(name, service, { minKeys: 1, maxKeys: 4 }),
  monitor: fc.boolean(),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toYaml(s: { services: Record<string, any>; monitor: boolean }): string {
  const lines = ['version: 1', 'services:'];
  for (const [n, sv] of Object.entries(s.services)) {
    lines.push(`  ${n}:`, `    program: ${sv.program}`, `    args: ${JSON.stringify(sv.args)}`, `    state: ${sv.state}`, `    domain: ${sv.domain}`,
      `    env: ${JSON.stringify(sv.env)}`, `    throttle_interval: ${sv.throttle_interval}`, `    exit_timeout: ${sv.exit_timeout}`,
      `    keep_alive: ${JSON.stringify(sv.keep_alive)}`, `    run_at_load: ${sv.run_at_load}`, `    nice: ${sv.nice}`,
      `    limits: { open_files: { soft: ${sv.open_files} } }`);
    if (sv.logs) lines.push(`    logs: { dir: ${sv.logs} }`);
    if (sv.secret) lines.push('    secret_env: { FULLNODE_API_INFO: { file: secrets/fullnode-api-info } }');
  }
  if (s.monitor) lines.push('monitor: { schedule: 1m }');
  return `${lines.join('\n')}\n`;
}

describe('diff: apply then plan shows no changes (property)', () => {
  it('for generated valid specs, from an empty machine and from a previous apply', () => {
    fc.assert(
      fc.property(specArb, specArb, (first, second) => {
        const host = testHost();
        const empty: ActualState = { jobs: {}, manifest: { formatVersion: 2, jobs: {} }, directories: {} };
        let actual = empty;
        for (const s of [first, second]) {
          const v = validateSpecText(toYaml(s));
          expect(v.spec, JSON.stringify(v.diagnostics)).toBeDefined();
          const { desired } = toDesiredState(v.spec!, host);
          const p = diff(desired, actual, { now: NOW });
          actual = simulateApply(p, actual);
          const again = diff(desired, actual, { now: NOW });
          expect(again.changes.filter((c) => c.action !== 'no-op')).toEqual([]);
          expect(again.drift).toEqual([]);
          expect(isEmptyPlan(again)).toBe(true);
          // Every job lotusctl manages is one the spec still wants.
          const wanted = new Set(desired.jobs.filter((j) => j.state !== 'absent').map((j) => j.label));
          expect(Object.keys(actual.manifest.jobs).every((l) => wanted.has(l))).toBe(true);
        }
      }),
      { numRuns: 150, seed: 20261130 },
    );
  });
});
