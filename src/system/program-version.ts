// `<program> --version`, run the way launchd would run the job: launchd's PATH, the job's environment, no TTY.
// Only for Lotus programs (the caller decides): `--version` on an arbitrary program might start it for real.
import { execa } from 'execa';

/** launchd's PATH for jobs (specs/launchd-behaviour.md §1). */
export const LAUNCHD_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

export type VersionFact =
  | { readonly kind: 'ok'; readonly output: string }
  | { readonly kind: 'failed'; readonly error: string };

/** Runs `program --version` with `env` (plus launchd's PATH and HOME) and nothing else from this process. */
export async function programVersion(program: string, env: Readonly<Record<string, string>>, opts: { home: string; timeoutMs?: number }): Promise<VersionFact> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const r = await execa(program, ['--version'], {
    reject: false, timeout: timeoutMs, stdin: 'ignore', extendEnv: false,
    env: { PATH: LAUNCHD_PATH, HOME: opts.home, ...env },
  });
  const out = `${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (r.exitCode === 0) return { kind: 'ok', output: out };
  if (r.timedOut) return { kind: 'failed', error: `no answer within ${timeoutMs} ms` };
  const code = (r as { code?: string }).code;
  if (r.exitCode === undefined) return { kind: 'failed', error: `could not run it: ${code ?? r.shortMessage}` };
  return { kind: 'failed', error: `exit ${r.exitCode}${out ? `: ${out}` : ''}` };
}
