// `npm run bench`: start-up and plan cost of the built CLI as ratios to `node -e 0` timed side by side (alternating
// runs, medians), then the core micro-benchmarks. Prints tables and writes bench/results.json (not committed; the
// README's "Performance" section quotes a run). Never asserted in tests: a loaded machine would make them flaky.
//   node dist/bench/run.js [--rounds N] [--max-seconds S] [--out FILE] [--no-core]
// To add a measurement: a module in bench/suites/ exporting a Suite (bench/lib/suite.ts), listed in SUITES below.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchAnsibleCheckMode } from './ansible-check-mode.js';
import { alternate, mean, median } from './lib/timing.js';
import type { PreparedSuite, Ratio, Suite, TimedCommand } from './lib/suite.js';
import { runCore } from './suites/core.js';
import { plan } from './suites/plan.js';
import { startup } from './suites/startup.js';

const SUITES: readonly Suite[] = [startup, plan];

const root = join(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, 'max-seconds': { type: 'string', default: '180' }, out: { type: 'string' }, 'no-core': { type: 'boolean', default: false } } });
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${args.rounds}`);
const out = args.out ?? join(root, 'bench/results.json');
const ctx = { root, cli: join(root, 'dist/cli/main.js'), log: (m: string) => process.stderr.write(`${m}\n`) };
const started = Date.now();

const baseline: TimedCommand = { id: 'node', label: 'node -e 0', argv: [process.execPath, '-e', '0'] };
const prepared: PreparedSuite[] = [];
let results: Record<string, unknown>;
try {
  for (const s of SUITES) prepared.push(await s.prepare(ctx));
  const commands = [baseline, ...prepared.flatMap((p) => p.commands)];
  const load = loadavg()[0];
  ctx.log(`timing ${commands.length} commands, ${rounds} alternating rounds`);
  // The whole run stays under five minutes: timing stops after --max-seconds (default 180, at least 5 rounds), then the core.
  const deadline = started + Number(args['max-seconds']) * 1000;
  const { samples, rounds: done } = alternate(commands, rounds, { deadline, onRound: (i) => ctx.log(`  round ${i + 1}/${rounds}`) });
  const med = new Map([...samples].map(([id, s]) => [id, median(s.wall)]));
  // CPU time: the mean per run (each sample is whole clock ticks), where the OS tells it (Linux).
  const cpu = new Map([...samples].filter(([, s]) => s.cpu.length > 0).map(([id, s]) => [id, mean(s.cpu)]));
  const ratioOf = (m: Map<string, number>, r: Ratio) => (m.has(r.of) && m.has(r.to) ? (m.get(r.of) as number) / (m.get(r.to) as number) : undefined);
  const ratios = prepared.flatMap((p) => p.ratios).map((r) => ({ ...r, value: ratioOf(med, r) as number, cpuValue: ratioOf(cpu, r) }));

  const fmt = (x: number | undefined, d = 1) => (x === undefined ? '' : x.toFixed(d));
  console.log(`\nlotusctl start-up and plan cost: node ${process.version}, ${cpus().length} CPUs, load ${fmt(load ?? 0, 2)}, ${done} alternating rounds`);
  console.log(`\n${'command'.padEnd(48)} ${'wall ms'.padStart(8)} ${'x node'.padStart(7)}  ${'cpu ms'.padStart(7)} ${'x node'.padStart(7)}`);
  for (const c of commands) {
    const w = med.get(c.id) as number;
    const u = cpu.get(c.id);
    console.log(`${c.label.padEnd(48)} ${fmt(w).padStart(8)} ${fmt(w / (med.get('node') as number), 2).padStart(7)}  ${fmt(u).padStart(7)} ${fmt(u === undefined ? undefined : u / (cpu.get('node') as number), 2).padStart(7)}`);
  }
  console.log(`(wall: median of the runs; cpu: user + system time of the process and its children, mean per run)`);
  console.log(`\n${'ratio (of wall medians)'.padEnd(52)} ${'value'.padStart(6)} ${'target'.padStart(7)}          ${'cpu'.padStart(6)}`);
  for (const r of ratios) {
    const verdict = r.target === undefined ? '' : r.value <= r.target ? 'met' : 'NOT met';
    console.log(`${r.label.padEnd(52)} ${fmt(r.value, 2).padStart(6)} ${(r.target === undefined ? '' : `<= ${r.target}`).padStart(7)}  ${verdict.padEnd(7)} ${fmt(r.cpuValue, 2).padStart(6)}${r.note ? `  (${r.note})` : ''}`);
  }
  const facts = Object.assign({}, ...prepared.map((p) => p.facts ?? {}));
  for (const [k, v] of Object.entries(facts)) console.log(`${k}: ${JSON.stringify(v)}`);

  const core = args['no-core'] ? [] : runCore(root);
  // Real processes, not the pure core: the Ansible module against Ansible's own launchd module (when ansible is installed).
  const ansible = args['no-core'] ? undefined : await benchAnsibleCheckMode();
  results = {
    format_version: 1,
    date: new Date().toISOString(),
    node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, load_average_1m: load,
    rounds: done,
    commands: commands.map((c) => {
      const s = samples.get(c.id) as { wall: number[]; cpu: number[] };
      return { id: c.id, label: c.label, median_ms: round(med.get(c.id) as number), min_ms: round(Math.min(...s.wall)), cpu_mean_ms: cpu.has(c.id) ? round(cpu.get(c.id) as number) : null, samples_ms: s.wall.map(round) };
    }),
    ratios: ratios.map((r) => ({
      id: r.id, label: r.label, of: r.of, to: r.to, value: round2(r.value), target: r.target ?? null, met: r.target === undefined ? null : r.value <= r.target,
      cpu_value: r.cpuValue === undefined ? null : round2(r.cpuValue), ...(r.note ? { note: r.note } : {}),
    })),
    facts,
    core,
    ansible_check_mode: ansible === undefined ? null : { launchd_over_module: Math.round(ansible * 100) / 100 },
    duration_s: Math.round((Date.now() - started) / 1000),
  };
} finally {
  for (const p of prepared) await p.close();
}
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${out} (${Math.round((Date.now() - started) / 1000)} s)`);

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
