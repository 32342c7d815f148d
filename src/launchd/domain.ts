// launchd domain and service targets as launchctl spells them (specs/launchd-behaviour.md §2): `system`, `user/<uid>`,
// `gui/<uid>`, and `<domain-target>/<label>` for one service.
import { posix } from 'node:path';
import { LotusctlError } from '../model/errors.js';

/** The three launchd domains lotusctl loads jobs into. `pid/<pid>` and `login/<asid>` are never targeted. */
export type DomainKind = 'gui' | 'user' | 'system';

/**
 * A launchd domain. `uid` is required for `gui` and `user` (a non-negative integer) and must be
 * absent for `system`. `gui/<uid>` exists only while that user is logged in at the console;
 * `user/<uid>` exists without a GUI session (SSH, headless).
 */
export interface DomainTarget {
  kind: DomainKind;
  uid?: number;
}

/**
 * A job label. It becomes the file name `<label>.plist` and part of a service target, so it is
 * stricter than launchd: it starts with a letter or digit, uses only `[A-Za-z0-9._-]`, has no `..`,
 * and is at most 249 characters so that `<label>.plist` fits in a 255-byte file name.
 */
export const LABEL_PATTERN: RegExp = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;

export function isValidLabel(label: string): boolean {
  return LABEL_PATTERN.test(label);
}

/** `system`, `user/<uid>` or `gui/<uid>`; throws `launchd.invalid-domain` for a missing or bad uid. */
export function domainTarget(d: DomainTarget): string {
  if (d.kind === 'system') {
    if (d.uid !== undefined) throw invalidDomain(d, 'the system domain takes no uid');
    return 'system';
  }
  if (d.uid === undefined || !Number.isSafeInteger(d.uid) || d.uid < 0) {
    throw invalidDomain(d, `the ${d.kind} domain needs a non-negative integer uid`);
  }
  return `${d.kind}/${d.uid}`;
}

/** `<domain-target>/<label>`, e.g. `gui/501/com.example.lotus`; throws `launchd.invalid-label` for a bad label. */
export function serviceTarget(d: DomainTarget, label: string): string {
  assertValidLabel(label);
  return `${domainTarget(d)}/${label}`;
}

/** Throws `launchd.invalid-label` unless `isValidLabel(label)`. */
export function assertValidLabel(label: string): void {
  if (!isValidLabel(label)) {
    throw new LotusctlError('launchd.invalid-label', `invalid launchd label ${JSON.stringify(label)}`, {
      hint: 'Use a reverse-DNS name such as com.example.lotus-daemon: letters, digits, ".", "_" and "-", starting with a letter or digit, no "..", at most 249 characters.',
    });
  }
}

const UID = '(0|[1-9][0-9]{0,9})';
const DOMAIN_RE = new RegExp(`^(?:(system)|(gui|user)/${UID})$`);
const SERVICE_RE = new RegExp(`^(?:(system)|(gui|user)/${UID})/(.+)$`);

/** Reads `system`, `gui/501` or `user/501`; anything else (including service targets) is undefined. */
export function parseDomainTarget(s: string): DomainTarget | undefined {
  const m = DOMAIN_RE.exec(s);
  return m ? toDomain(m[1], m[2], m[3]) : undefined;
}

/** Reads `gui/501/<label>`, `user/501/<label>` or `system/<label>`; undefined unless the label is valid. */
export function parseServiceTarget(s: string): { domain: DomainTarget; label: string } | undefined {
  const m = SERVICE_RE.exec(s);
  if (!m) return undefined;
  const domain = toDomain(m[1], m[2], m[3]);
  const label = m[4] as string;
  return domain && isValidLabel(label) ? { domain, label } : undefined;
}

function toDomain(system: string | undefined, kind: string | undefined, uid: string | undefined): DomainTarget | undefined {
  if (system) return { kind: 'system' };
  const n = Number(uid);
  if ((kind === 'gui' || kind === 'user') && Number.isSafeInteger(n)) return { kind, uid: n };
  return undefined;
}

/**
 * Where a job's plist lives: `<home>/Library/LaunchAgents` for gui/user agents,
 * `systemDir` (default `/Library/LaunchDaemons`) for system daemons (specs/launchd-behaviour.md §1).
 */
export function plistDirFor(kind: DomainKind, home: string, systemDir = '/Library/LaunchDaemons'): string {
  return kind === 'system' ? systemDir : posix.join(home, 'Library', 'LaunchAgents');
}

function invalidDomain(d: DomainTarget, why: string): LotusctlError {
  return new LotusctlError('launchd.invalid-domain', `invalid launchd domain ${JSON.stringify(d)}: ${why}`, {
    hint: 'Use { kind: "system" }, or { kind: "gui" | "user", uid } with the numeric uid of the user who owns the jobs.',
  });
}
