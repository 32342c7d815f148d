import { ansiColors, noColors, type Colors } from '../render/colors.js';

/** Where the CLI writes, and whether it may use colour and spinners. */
export interface Output {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly colors: Colors;
  readonly errColors: Colors;
  readonly isTTY: boolean;
}

function colorOk(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function makeOutput(opts: { color?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Output {
  return {
    out: (s) => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    colors: colorOk(process.stdout, env, opts.color) ? ansiColors : noColors,
    errColors: colorOk(process.stderr, env, opts.color) ? ansiColors : noColors,
    isTTY: Boolean(process.stdout.isTTY),
  };
}
