import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TimedCommand } from './suite.js';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

// Linux only: the CPU time (user + system) of this process's finished children, from /proc/self/stat (cutime and
// cstime, in clock ticks). Wall time on a machine shared with other work swings with its load; CPU time barely does.
const clockTicks = (() => {
  try {
    return Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  } catch {
    return 100;
  }
})();

function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Wall time of one run in milliseconds, the CPU time it used (Linux; ticks of 10 ms), and its exit code. */
export function timeOnce(c: TimedCommand): { ms: number; cpuMs?: number; code: number; stderr: string } {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0] as string, c.argv.slice(1), {
    ...c.runAs, cwd: c.cwd, env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu1 = childrenCpuMs();
  return { ms, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMs: cpu1 - cpu0 } : {}), code: r.status ?? 128, stderr: String(r.stderr ?? '') };
}

export interface Samples {
  /** Wall times, ms. */
  wall: number[];
  /** CPU times, ms (empty where /proc is missing). Each is a whole number of clock ticks: average them. */
  cpu: number[];
}

/**
 * Time every command `rounds` times, alternating: each round runs each command once, in an order rotated from
 * round to round, so a burst of load elsewhere on the machine falls on all of them alike. One warm-up run each
 * first (it also checks the exit code: timing a command that fails would measure the wrong thing). Stops early
 * after `deadline` (epoch ms), once at least `minRounds` rounds are done.
 */
export function alternate(commands: readonly TimedCommand[], rounds: number, opts: { deadline?: number; minRounds?: number; onRound?: (i: number) => void } = {}): { samples: Map<string, Samples>; rounds: number } {
  for (const c of commands) {
    const r = timeOnce(c);
    if (!(c.okCodes ?? [0]).includes(r.code)) throw new Error(`bench: "${c.label}" exited ${r.code}:\n${r.stderr}`);
  }
  const samples = new Map(commands.map((c) => [c.id, { wall: [], cpu: [] } as Samples]));
  let i = 0;
  for (; i < rounds; i++) {
    // On a busy machine, stop at the deadline rather than run for ever (but never below minRounds).
    if (opts.deadline !== undefined && Date.now() > opts.deadline && i >= (opts.minRounds ?? 5)) break;
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(i + k) % commands.length] as TimedCommand;
      if (i % (c.every ?? 1) !== 0) continue;
      const r = timeOnce(c);
      const s = samples.get(c.id) as Samples;
      s.wall.push(r.ms);
      if (r.cpuMs !== undefined) s.cpu.push(r.cpuMs);
    }
    opts.onRound?.(i);
  }
  return { samples, rounds: i };
}
