// golog-like (go-log v2 / zap) logging: console `<ts>\t<LEVEL>\t<logger>\t<caller>\t<msg>[\t{fields}]` or JSON lines.
import { appendFileSync } from 'node:fs';

/** Log levels in go-log order. */
export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<Level, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

/** Structured key/values appended to a line, printed like zap: `{"signal": "terminated"}`. */
export type Fields = Record<string, string | number | boolean>;

/** One named logger (`main`, `builder`, ...). */
export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

interface Sinks {
  stderr: boolean;
  stdout: boolean;
  file: string | undefined;
  json: boolean;
  min: Level;
}

function sinksFrom(env: NodeJS.ProcessEnv): Sinks {
  // go-log: GOLOG_FILE alone means "file only"; GOLOG_OUTPUT joins targets with '+'.
  const outputs = (env.GOLOG_OUTPUT ?? (env.GOLOG_FILE ? 'file' : 'stderr')).split('+');
  const lvl = (env.GOLOG_LOG_LEVEL ?? 'info').toUpperCase();
  const min: Level = lvl === 'DEBUG' || lvl === 'WARN' || lvl === 'ERROR' ? lvl : lvl === 'WARNING' ? 'WARN' : 'INFO';
  return {
    stderr: outputs.includes('stderr'),
    stdout: outputs.includes('stdout'),
    file: outputs.includes('file') ? env.GOLOG_FILE : undefined,
    json: env.GOLOG_LOG_FMT === 'json',
    min,
  };
}

/** zap ISO8601 encoder: `2006-01-02T15:04:05.000Z0700` in local time. */
export function zapTimestamp(d: Date): string {
  const pad = (x: number, n = 2): string => String(x).padStart(n, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${zone}`;
}

/** zap console encoder renders fields as spaced JSON. */
export function formatFields(fields: Fields): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** Creates a logger writing to the sinks configured by GOLOG_* in `env`. */
export function createLogger(name: string, caller: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const sinks = sinksFrom(env);
  const emit = (level: Level, msg: string, fields?: Fields): void => {
    if (RANK[level] < RANK[sinks.min]) return;
    const ts = zapTimestamp(new Date());
    const line = sinks.json
      ? `${JSON.stringify({ level: level.toLowerCase(), ts, logger: name, caller, msg, ...fields })}\n`
      : `${ts}\t${level}\t${name}\t${caller}\t${msg}${fields ? `\t${formatFields(fields)}` : ''}\n`;
    if (sinks.stderr) process.stderr.write(line);
    if (sinks.stdout) process.stdout.write(line);
    if (sinks.file) appendFileSync(sinks.file, line);
  };
  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARN', m, f),
    error: (m, f) => emit('ERROR', m, f),
  };
}

/** Exits once stdout/stderr have drained (pipes are asynchronous on macOS). */
export function flushAndExit(code: number): void {
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
  setTimeout(() => process.exit(code), 1000).unref();
}

/** Prints a fatal error the way lotus's CLI wrapper does (`ERROR: <err>` and a blank line) and exits. */
export function exitWithError(message: string, code = 1): void {
  process.stderr.write(`ERROR: ${message}\n\n`);
  flushAndExit(code);
}
