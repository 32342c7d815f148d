import type { LastExit } from './exit-status.js';
import { readInt } from './print-grammar.js';

/**
 * One row of legacy `launchctl list` (specs/launchd-behaviour.md §7). `pid` is absent when `-` (not running) or unreadable.
 * `status` is the decoded last exit status: an exit code, or minus the signal number (`-9`). Never-run jobs print
 * `0` (10.11 capture) or `-` (third-party fixtures); both read as 0, so 0 does not prove the job ever ran.
 * `lastExit` is the same column as a LastExit: `-` -> never, N >= 0 -> code, N < 0 -> signal.
 */
export interface ListRow {
  label: string;
  pid?: number;
  status: number;
  lastExit: LastExit;
}

const HEADER = /^PID\s+Status\s+Label$/i;

/** Parses `launchctl list` output; the header is optional, rows whose status or label cannot be read are left out. Never throws. */
export function parseList(text: string): ListRow[] {
  const out: ListRow[] = [];
  for (const rawLine of String(text).split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || HEADER.test(line)) continue;
    // Tab-separated per man page; pasted copies may have spaces instead.
    const m = rawLine.includes('\t') ? /^\s*([^\t]*?)\s*\t\s*([^\t]*?)\s*\t\s*(.*?)\s*$/.exec(rawLine) : /^(\S+)\s+(\S+)\s+(\S.*?)$/.exec(line);
    if (m === null) continue;
    const [, pidText = '', statusText = '', label = ''] = m;
    if (label === '') continue;
    let status: number | undefined;
    let lastExit: LastExit;
    if (statusText === '-') {
      status = 0;
      lastExit = { kind: 'never' };
    } else {
      status = readInt(statusText);
      if (status === undefined || status < -127 || status > 255) continue;
      lastExit = status < 0 ? { kind: 'signal', signal: -status } : { kind: 'code', code: status };
    }
    const row: ListRow = { label, status, lastExit };
    const pid = readInt(pidText);
    if (pid !== undefined && pid > 0) row.pid = pid;
    out.push(row);
  }
  return out;
}
