// Micro-benchmarks of the pure hot paths (parsers, validation, desired state, diff, plan rendering), in-process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrintDisabled, parseServicePrint } from '../../src/launchd/parsers.js';
import type { ActualState } from '../../src/model/actual.js';
import { diff } from '../../src/plan/diff.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { noColors } from '../../src/render/colors.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';

export interface CoreRow { name: string; us_per_op: number; ops_per_s: number; heap_delta_mib: number }

function bench(rows: CoreRow[], name: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(50, iterations); i++) fn();
  const heap = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0);
  const perOp = ns / iterations / 1000;
  const heapDelta = (process.memoryUsage().heapUsed - heap) / 1024 / 1024;
  console.log(`${name.padEnd(44)} ${perOp.toFixed(1).padStart(10)} µs/op  ${(1e6 / perOp).toFixed(0).padStart(8)} ops/s  heap ${heapDelta >= 0 ? '+' : ''}${heapDelta.toFixed(1)} MiB`);
  rows.push({ name, us_per_op: round(perOp), ops_per_s: Math.round(1e6 / perOp), heap_delta_mib: round(heapDelta) });
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Run every micro-benchmark; prints one line per case and returns them. */
export function runCore(root: string): CoreRow[] {
  const fixtures = join(root, 'test/fixtures/launchctl');
  const rows: CoreRow[] = [];
  const prints = readdirSync(fixtures).filter((f) => f.startsWith('print-service-')).map((f) => readFileSync(join(fixtures, f), 'utf8'));
  const disabled = readFileSync(join(fixtures, 'print-disabled-system-modern-enabled-disabled.txt'), 'utf8');
  const example = readFileSync(join(root, 'lotus.yaml.example'), 'utf8');
  const many = ['version: 1', 'services:', ...Array.from({ length: 50 }, (_, i) => `  svc-${i}:\n    program: /usr/local/bin/lotus\n    args: [daemon]\n    repo: ~/.lotus-${i}\n    logs: { dir: ~/Library/Logs/lotus-${i} }\n    limits: { open_files: { soft: 16384 } }`), ''].join('\n');
  const host = {
    home: '/Users/alice', uid: 501, specPath: '/Users/alice/lotus.yaml', programs: { lotus: '/opt/homebrew/bin/lotus' }, secrets: {},
    systemDaemonsDir: '/Library/LaunchDaemons', lotusctlCommand: ['/usr/local/bin/node', '/usr/local/lib/lotusctl/main.js'],
  };
  const spec = validateSpecText(many).spec!;
  const desired = toDesiredState(spec, host).desired;
  const empty: ActualState = { jobs: {}, manifest: { formatVersion: 2, jobs: {} }, directories: {} };
  const plan = diff(desired, empty, { now: '2026-11-30T00:00:00Z' });

  console.log(`\nCore hot paths, in-process (${prints.length} print fixtures)`);
  bench(rows, 'parseServicePrint (each real fixture)', 2000, () => prints.forEach((p) => parseServicePrint(p)));
  bench(rows, 'parsePrintDisabled (43-label capture)', 5000, () => parsePrintDisabled(disabled));
  bench(rows, 'validateSpecText (lotus.yaml.example)', 1000, () => validateSpecText(example));
  bench(rows, 'validateSpecText (50 services)', 100, () => validateSpecText(many));
  bench(rows, 'toDesiredState (50 services)', 200, () => toDesiredState(spec, host));
  bench(rows, 'diff (50 services, empty machine)', 200, () => diff(desired, empty, { now: '2026-11-30T00:00:00Z' }));
  bench(rows, 'renderPlanText (50 services)', 50, () => renderPlanText(plan, noColors));
  console.log(`rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
  return rows;
}
