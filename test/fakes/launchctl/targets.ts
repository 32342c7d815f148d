// Domain and service targets (specs/launchd-behaviour.md §2): `system`, `user/<uid>`, `gui/<uid>`, each optionally `/<label>`.

/** A launchd domain the double emulates. `pid/`, `login/` and `session/` domains are not emulated. */
export type Domain = { readonly kind: 'system' } | { readonly kind: 'gui'; readonly uid: number } | { readonly kind: 'user'; readonly uid: number };

/** A parsed target: a domain, plus a label for a service target. */
export interface Target {
  readonly domain: Domain;
  readonly label?: string;
}

/** Parses a `<domain-target>` or `<service-target>`; undefined for anything launchctl would call an unrecognized target. */
export function parseTarget(spec: string): Target | undefined {
  const m = /^(?:(system)|(gui|user)\/(\d+))(?:\/(.*))?$/.exec(spec);
  if (m === null) return undefined;
  const uid = Number(m[3]);
  const domain: Domain = m[1] !== undefined ? { kind: 'system' } : m[2] === 'gui' ? { kind: 'gui', uid } : { kind: 'user', uid };
  if (m[2] !== undefined && !Number.isSafeInteger(uid)) return undefined;
  const label = m[4];
  return label === undefined || label === '' ? { domain } : { domain, label };
}

/** `system`, `gui/501`, `user/501`: the key used for state and the header of `print <domain>`. */
export function domainKey(d: Domain): string {
  return d.kind === 'system' ? 'system' : `${d.kind}/${d.uid}`;
}

/** The domain as launchctl names it in error text (specs/launchd-behaviour.md §2): `system`, `user gui: 501`, `uid: 501`. */
export function domainErrorName(d: Domain): string {
  if (d.kind === 'system') return 'system';
  return d.kind === 'gui' ? `user gui: ${d.uid}` : `uid: ${d.uid}`;
}

/** The LimitLoadToSessionType a domain stands for (specs/launchd-behaviour.md §1): Aqua for gui, Background for user, System for system. */
export function sessionType(d: Domain): string {
  return d.kind === 'gui' ? 'Aqua' : d.kind === 'user' ? 'Background' : 'System';
}

/** The uid that owns a per-user domain; undefined for system. */
export function domainUid(d: Domain): number | undefined {
  return d.kind === 'system' ? undefined : d.uid;
}

// The ASID of the only sample gui domain (print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt).
export const GUI_ASID = 100017;
