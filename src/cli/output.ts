import { ansiColors, noColors, type Colors } from '../render/colors.js';
import { terminalSafe } from '../render/terminal-text.js';

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
  const outColor = colorOk(process.stdout, env, opts.color);
  const errColor = colorOk(process.stderr, env, opts.color);
  // Everything printed passes terminalSafe: text from a spec, a plist or launchctl never drives the terminal.
  const line = (s: string, color: boolean, tty: boolean) => terminalSafe(s.endsWith('\n') ? s : `${s}\n`, color, tty);
  return {
    out: (s) => void process.stdout.write(line(s, outColor, Boolean(process.stdout.isTTY))),
    err: (s) => void process.stderr.write(line(s, errColor, Boolean(process.stderr.isTTY))),
    colors: outColor ? ansiColors : noColors,
    errColors: errColor ? ansiColors : noColors,
    isTTY: Boolean(process.stdout.isTTY),
  };
}
