import { spawnSync } from 'node:child_process';
import type { TimedCommand } from './suite.js';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Wall time of one run in milliseconds, and its exit code. */
export function timeOnce(c: TimedCommand): { ms: number; code: number; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0] as string, c.argv.slice(1), {
    cwd: c.cwd, env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, code: r.status ?? 128, stderr: String(r.stderr ?? '') };
}

/**
 * Time every command `rounds` times, alternating: each round runs each command once, in an order rotated from
 * round to round, so a burst of load elsewhere on the machine falls on all of them alike. One warm-up run each
 * first (it also checks the exit code: timing a command that fails would measure the wrong thing). Stops early
 * after `deadline` (epoch ms), once at least `minRounds` rounds are done.
 */
export function alternate(commands: readonly TimedCommand[], rounds: number, opts: { deadline?: number; minRounds?: number; onRound?: (i: number) => void } = {}): { samples: Map<string, number[]>; rounds: number } {
  for (const c of commands) {
    const r = timeOnce(c);
    if (!(c.okCodes ?? [0]).includes(r.code)) throw new Error(`bench: "${c.label}" exited ${r.code}:\n${r.stderr}`);
  }
  const samples = new Map(commands.map((c) => [c.id, [] as number[]]));
  let i = 0;
  for (; i < rounds; i++) {
    // On a busy machine, stop at the deadline rather than run for ever (but never below minRounds).
    if (opts.deadline !== undefined && Date.now() > opts.deadline && i >= (opts.minRounds ?? 5)) break;
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(i + k) % commands.length] as TimedCommand;
      if (i % (c.every ?? 1) === 0) samples.get(c.id)?.push(timeOnce(c).ms);
    }
    opts.onRound?.(i);
  }
  return { samples, rounds: i };
}
