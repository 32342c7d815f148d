// `lotusctl status` as a table (like `brew services list`, with the notes that explain every row that is not ok) and as JSON.
import { formatAge, type StatusRow, type StatusView } from '../status/status.js';
import type { Colors } from './colors.js';

const STATUS_FORMAT_VERSION = '1';

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - [...s].length));
}

function healthCell(r: StatusRow, c: Colors): (s: string) => string {
  switch (r.health.word) {
    case 'healthy': case 'ticking': return c.green;
    case 'n/a': case 'not configured': return c.dim;
    case 'unhealthy': case 'not ticking': case 'stopped': return c.red;
    default: return c.yellow;
  }
}

function stateCell(r: StatusRow, c: Colors): (s: string) => string {
  if (!r.asDesired) return c.red;
  return r.launchdState === 'running' ? c.green : c.dim;
}

/** The health column: the first clause only; the rest is in the notes. */
function healthShort(r: StatusRow): string {
  const h = r.health;
  const age = h.sampleAgeMs !== undefined ? ` (${formatAge(h.sampleAgeMs)} ago)` : '';
  switch (h.word) {
    case 'syncing': return `syncing, ${h.lagEpochs ?? '?'} epochs behind${age}`;
    case 'stale': return `stale (last sample ${formatAge(h.sampleAgeMs ?? 0)} ago)`;
    case 'ticking': case 'not ticking': return `${h.word}${age}`;
    case 'n/a': case 'not configured': case 'no data': return h.word;
    default: return `${h.word}${h.source === 'live' ? ' (live)' : age}`;
  }
}

function restartsCell(r: StatusRow): string {
  if (r.kind === 'monitor') return '-';
  const n = r.restarts24h === undefined ? '-' : `${r.restarts24h.complete ? '' : '≥'}${r.restarts24h.count}`;
  return r.breakerOpen ? `${n} (breaker open)` : n;
}

/** The table, then one line per note, then a one-line verdict. */
export function renderStatusText(v: StatusView, c: Colors): string {
  const head = ['SERVICE', 'LABEL', 'DOMAIN', 'DESIRED', 'LAUNCHD', 'PID', 'UPTIME', 'LAST EXIT', 'HEALTH', 'RESTARTS 24H', 'HEIGHT', 'PEERS'];
  const cells = v.rows.map((r) => [
    r.service, r.label, r.domain, r.desired, r.launchdState ?? '-', r.pid !== undefined ? String(r.pid) : '-',
    r.uptimeMs !== undefined ? formatAge(r.uptimeMs) : '-', r.lastExit?.short ?? '-', healthShort(r), restartsCell(r),
    r.chain?.height !== undefined ? String(r.chain.height) : '-', r.chain?.peers !== undefined ? String(r.chain.peers) : '-',
  ]);
  const widths = head.map((h, i) => Math.max([...h].length, ...cells.map((row) => [...(row[i] as string)].length)));
  const line = (row: string[], colour: Array<((s: string) => string) | undefined> = []) =>
    row.map((s, i) => {
      const padded = i === row.length - 1 ? s : pad(s, widths[i] as number);
      return colour[i] ? (colour[i] as (s: string) => string)(padded) : padded;
    }).join('  ').trimEnd();
  const out = [c.bold(line(head))];
  v.rows.forEach((r, i) => {
    const colours: Array<((s: string) => string) | undefined> = [];
    colours[4] = stateCell(r, c);
    colours[8] = healthCell(r, c);
    out.push(line(cells[i] as string[], colours));
  });
  const notes = v.rows.flatMap((r) => r.notes.map((n) => `${r.service}: ${n}`));
  const unreachable = v.rows.filter((r) => r.chain?.error !== undefined).map((r) => `${r.service}: API did not answer: ${r.chain?.error}`);
  if (notes.length + unreachable.length > 0) out.push('', ...notes, ...unreachable);
  const bad = v.rows.filter((r) => !r.ok).length;
  out.push('', v.ok ? c.green('Every service is as desired and healthy.') : c.yellow(`${bad} of ${v.rows.length} job${v.rows.length === 1 ? ' is' : 's are'} not as desired or not healthy.`));
  return `${out.join('\n')}\n`;
}

/** snake_case JSON (format_version "1"); unknown values are null. */
export function statusJson(v: StatusView): Record<string, unknown> {
  return {
    format_version: STATUS_FORMAT_VERSION,
    generated_at: new Date(v.now).toISOString(),
    ok: v.ok,
    services: v.rows.map((r) => ({
      service: r.service,
      kind: r.kind,
      label: r.label,
      domain: r.domain,
      desired_state: r.desired,
      launchd_state: r.launchdState,
      as_desired: r.asDesired,
      pid: r.pid ?? null,
      uptime_seconds: r.uptimeMs !== undefined ? Math.floor(r.uptimeMs / 1000) : null,
      last_exit: r.lastExit ? { ...exitJson(r.lastExit.exit), summary: r.lastExit.short, explanation: r.lastExit.explanation } : null,
      health: {
        status: r.health.word,
        summary: r.health.text,
        reasons: r.health.reasons,
        source: r.health.source,
        sample_age_seconds: r.health.sampleAgeMs !== undefined ? Math.floor(r.health.sampleAgeMs / 1000) : null,
        lag_epochs: r.health.lagEpochs ?? null,
      },
      restarts_24h: r.restarts24h ? r.restarts24h.count : null,
      restarts_24h_complete: r.restarts24h ? r.restarts24h.complete : null,
      breaker_open: r.breakerOpen,
      chain_height: r.chain?.height ?? null,
      peers: r.chain?.peers ?? null,
      api_error: r.chain?.error ?? null,
      ok: r.ok,
      notes: r.notes,
    })),
  };
}

function exitJson(e: NonNullable<StatusRow['lastExit']>['exit']): Record<string, unknown> {
  switch (e.kind) {
    case 'code': return { kind: 'code', code: e.code, signal: null };
    case 'signal': return { kind: 'signal', code: null, signal: e.signal };
    case 'reclaimed': return { kind: 'reclaimed', code: null, signal: null, reason: e.reason };
    default: return { kind: e.kind, code: null, signal: null };
  }
}
