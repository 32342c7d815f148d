import type { LastExit } from './exit-status.js';
import { readDisabledServices } from './parse-print-disabled.js';
import { childBlock, headerBlock, parsePrintTree, readInt, readList, scalar, splitProperties, type PrintBlock } from './print-grammar.js';

/** Last status column of a domain `services` row; `pressured-exit` is the `(pe)` marker (specs/launchd-behaviour.md §5). */
export type DomainServiceStatus = LastExit | { kind: 'pressured-exit' };

/** One row of the `services = { … }` table. `pid` is absent when the job is not running (`0`) or unreadable. */
export interface DomainService {
  label: string;
  pid?: number;
  lastStatus: DomainServiceStatus;
}

/**
 * What `launchctl print <domain-target>` says (specs/launchd-behaviour.md §5). Missing sections are empty; in a cut-off paste
 * (`truncated`) the rows read before the cut are kept, so absence from a list proves nothing then.
 * `services` rows that are not `<pid> <status> <label>` are left out.
 */
export interface DomainPrint {
  /** Header name: `system`, `gui/501`, `pid/599`. */
  name?: string;
  type?: string;
  activeCount?: number;
  serviceCount?: number;
  services: DomainService[];
  disabled: Record<string, boolean>;
  properties: string[];
  subdomains: string[];
  /** Set (true) only when the header block never closed. */
  truncated?: boolean;
}

/** Parses `launchctl print <domain-target>` output. Never throws. */
export function parseDomainPrint(text: string): DomainPrint {
  const root = parsePrintTree(text);
  const header = headerBlock(root);
  const b = header ?? root;
  const out: DomainPrint = { services: [], disabled: {}, properties: [], subdomains: [] };
  if (header !== undefined && /^\S+$/.test(header.key)) out.name = header.key;
  if (header !== undefined && !header.closed) out.truncated = true;
  const type = scalar(b, 'type');
  if (type !== undefined && type !== '') out.type = type;
  const active = readInt(scalar(b, 'active count'));
  if (active !== undefined && active >= 0) out.activeCount = active;
  const count = readInt(scalar(b, 'service count'));
  if (count !== undefined && count >= 0) out.serviceCount = count;

  const services = childBlock(b, 'services');
  if (services !== undefined) out.services = readServiceRows(services);
  const subdomains = childBlock(b, 'subdomains');
  if (subdomains !== undefined) out.subdomains = readList(subdomains);
  // Only the domain's own top-level section, not anything nested in `unmanaged processes` and friends.
  const disabled = childBlock(b, 'disabled services');
  if (disabled !== undefined) out.disabled = readDisabledServices([disabled]);
  const props = scalar(b, 'properties');
  if (props !== undefined) out.properties = splitProperties(props);
  return out;
}

function readServiceRows(block: PrintBlock): DomainService[] {
  const out: DomainService[] = [];
  for (const row of readList(block)) {
    // `<pid>  <last-status>  \t<label>`, space-padded.
    const m = /^(\S+)\s+(\S+)\s+(\S.*)$/.exec(row);
    if (m === null) continue;
    const [, pidText = '', statusText = '', label = ''] = m;
    const pid = readInt(pidText);
    const svc: DomainService = { label: label.trim(), lastStatus: readRowStatus(statusText) };
    if (pid !== undefined && pid > 0) svc.pid = pid;
    out.push(svc);
  }
  return out;
}

function readRowStatus(s: string): DomainServiceStatus {
  if (s === '-') return { kind: 'never' };
  if (s === '(pe)') return { kind: 'pressured-exit' };
  const n = readInt(s);
  if (n === undefined) return { kind: 'unknown' };
  if (n < 0) return n >= -127 ? { kind: 'signal', signal: -n } : { kind: 'unknown' };
  return n <= 255 ? { kind: 'code', code: n } : { kind: 'unknown' };
}
