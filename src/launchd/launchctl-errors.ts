// Sorts a failed launchctl call into one closed set of kinds, from its exit code and stderr text
// (specs/launchd-behaviour.md §3 and §4; every stderr sample in test/fixtures/launchctl/stderr is covered by a test).
import { isLotusctlError, LotusctlError } from '../model/errors.js';
import { isLaunchdErrorCode, launchctlCodeText } from './launchd-error-table.js';

/**
 * What went wrong, as a closed union:
 * - `not-loaded`: the service is not in the domain (113, or ESRCH 3 from bootout);
 * - `not-running`: loaded, but `kill` found no process (`No process to signal.`, reported);
 * - `io-error`: EIO 5, launchd's catch-all (already loaded, disabled, racing a bootout, bad plist, wrong session);
 * - `in-progress`: 36 EINPROGRESS / 37 EALREADY, a bootout or start still running;
 * - `no-gui-domain`: `gui/<uid>` does not exist (no console login: 125, 112, `Could not find domain for …`);
 * - `usage`: launchctl rejected the arguments (64, `Unrecognized target specifier.`);
 * - `disabled` (119), `bad-permissions` (122), `exists` (17 or "service already loaded");
 * - `launchd-error`: any other launchd code 107-159;
 * - `not-privileged`: needs root (EPERM, `Not privileged to signal service.`);
 * - `unknown`: anything else. Never read as success.
 */
export type LaunchctlErrorKind =
  | 'not-loaded'
  | 'not-running'
  | 'io-error'
  | 'in-progress'
  | 'no-gui-domain'
  | 'usage'
  | 'disabled'
  | 'bad-permissions'
  | 'exists'
  | 'launchd-error'
  | 'not-privileged'
  | 'unknown';

/** One finished launchctl call that did not succeed. `args` excludes the subcommand. */
export interface LaunchctlFailure {
  subcommand: string;
  args: readonly string[];
  /** Process exit code; undefined when it died by a signal. */
  exitCode: number | undefined;
  stderr: string;
  stdout: string;
}

/** A classified launchctl failure. `code` is always `launchctl.<kind>`. */
export class LaunchctlError extends LotusctlError {
  readonly kind: LaunchctlErrorKind;
  readonly subcommand: string;
  readonly args: readonly string[];
  /** The domain or service target the call acted on (for `list <label>`, the label), when there was one. */
  readonly target: string | undefined;
  readonly exitCode: number | undefined;
  /** The code launchctl printed (`Bootstrap failed: 5: …`); it may differ from `exitCode`. */
  readonly reportedCode: number | undefined;
  /** First non-empty stderr line (or stdout line when stderr is empty); '' when both are empty. */
  readonly stderrFirstLine: string;

  constructor(
    kind: LaunchctlErrorKind,
    message: string,
    f: LaunchctlFailure & { target: string | undefined; reportedCode: number | undefined; stderrFirstLine: string },
    opts: { hint?: string; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(`launchctl.${kind}`, message, opts);
    this.name = 'LaunchctlError';
    this.kind = kind;
    this.subcommand = f.subcommand;
    this.args = [...f.args];
    this.target = f.target;
    this.exitCode = f.exitCode;
    this.reportedCode = f.reportedCode;
    this.stderrFirstLine = f.stderrFirstLine;
  }
}

/** True for a LaunchctlError, also across module copies (LotusctlError's brand, plus the kind field). */
export function isLaunchctlError(e: unknown): e is LaunchctlError {
  return isLotusctlError(e) && e.code.startsWith('launchctl.') && typeof (e as { kind?: unknown }).kind === 'string';
}

/** `"5: Input/output error"`; the text launchctl's `error <n>` gives, or `unknown error`. */
export function explainLaunchctlError(code: number): string {
  return `${code}: ${launchctlCodeText(code) ?? 'unknown error'}`;
}

// `Bootstrap failed: 5: …`, `Boot-out failed: 3: …`, `Load failed: 134: …`, `Unload failed: 5: …` (seen),
// and `Could not kickstart service "L": 125: …` (seen).
const REPORTED_CODE_RES: readonly RegExp[] = [
  /^(?:Bootstrap|Boot-out|Load|Unload|Bootout|Enable|Disable|Kill|Kickstart) failed: (\d+): /,
  /^Could not \w+ service "[^"]*": (\d+): /,
];
const NOT_FOUND_RE = /^Could not find service "([^"]*)" in domain for (.*)$/;
const NO_DOMAIN_RE = /^Could not find domain for/;
const USAGE_RE = /^(?:Unrecognized target specifier\.|Usage: launchctl )/;
const NO_PROCESS_RE = /^No process to signal\.?$/;
const NOT_PRIVILEGED_RE = /^Not privileged to /;
const ROOT_HINT_RE = /^Try (?:re-)?running .*as root for richer errors\.$/;
// Legacy `load` per-path lines (specs/launchd-behaviour.md §4).
const ALREADY_LOADED_RE = /: service already loaded$/;
const PATH_DISABLED_RE = /: Service is disabled$/;
const BAD_PERMS_RE = /: Path had bad ownership\/permissions$/;

/** Classifies a failed call. Pure: the same failure always gives the same kind, message and hint. */
export function classifyLaunchctlFailure(f: LaunchctlFailure): LaunchctlError {
  const lines = f.stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const outLines = f.stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const stderrFirstLine = lines[0] ?? outLines[0] ?? '';
  const reportedCode = parseReportedCode(lines);
  const code = reportedCode ?? (f.exitCode !== 0 ? f.exitCode : undefined);
  const target = findTarget(f.subcommand, f.args);
  const kind = kindFromText(lines, f) ?? kindFromCode(code, f, target) ?? 'unknown';
  const ctx: Ctx = { f, lines, code, target, stderrFirstLine, rootHint: lines.some((l) => ROOT_HINT_RE.test(l)) };
  const { message, hint } = describe(kind, ctx);
  const details = lines.slice(1);
  return new LaunchctlError(kind, message, { ...f, target, reportedCode, stderrFirstLine }, { hint, details });
}

/** The code printed in a `… failed: N: text` line, if any. */
export function parseReportedCode(stderrLines: readonly string[]): number | undefined {
  for (const line of stderrLines) {
    for (const re of REPORTED_CODE_RES) {
      const m = re.exec(line);
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

function kindFromText(lines: readonly string[], f: LaunchctlFailure): LaunchctlErrorKind | undefined {
  // Specific lines outrank the code: legacy `load` pairs `Load failed: 37: …` with `<path>: service already loaded`.
  for (const line of lines) {
    if (ALREADY_LOADED_RE.test(line)) return 'exists';
    if (PATH_DISABLED_RE.test(line)) return 'disabled';
    if (BAD_PERMS_RE.test(line)) return 'bad-permissions';
  }
  for (const line of lines) {
    if (NOT_FOUND_RE.test(line)) return 'not-loaded';
    if (NO_DOMAIN_RE.test(line)) return 'no-gui-domain';
    if (USAGE_RE.test(line)) return 'usage';
    if (NO_PROCESS_RE.test(line)) return 'not-running';
    if (NOT_PRIVILEGED_RE.test(line)) return 'not-privileged';
  }
  if (f.exitCode === 64) return 'usage';
  return undefined;
}

function kindFromCode(code: number | undefined, f: LaunchctlFailure, target: string | undefined): LaunchctlErrorKind | undefined {
  switch (code) {
    case undefined:
      return undefined;
    case 1:
      return 'not-privileged';
    case 3:
      return f.subcommand === 'kill' ? 'not-running' : 'not-loaded';
    case 5:
      // `bootout <domain> <plist>` of a job that is not loaded prints EIO, not ESRCH (seen).
      return f.subcommand === 'bootout' && isPathFormBootout(f.args) ? 'not-loaded' : 'io-error';
    case 17:
      return 'exists';
    case 36:
    case 37:
      return 'in-progress';
    case 64:
      return 'usage';
    case 113:
      return 'not-loaded';
    case 119:
      return 'disabled';
    case 122:
      return 'bad-permissions';
    case 112:
    case 125:
      // Both are seen for a missing gui/<uid>; against user/ or system they mean something else (unverified).
      return target !== undefined && /^(user\/|system\b)/.test(target) ? 'launchd-error' : 'no-gui-domain';
    default:
      return isLaunchdErrorCode(code) ? 'launchd-error' : undefined;
  }
}

function isPathFormBootout(args: readonly string[]): boolean {
  const rest = args.filter((a) => !a.startsWith('-'));
  return rest.length >= 2 && rest.slice(1).every((a) => a.includes('/') && a.endsWith('.plist'));
}

/** The domain/service target in argv: the first operand, after the signal for `kill`. */
function findTarget(subcommand: string, args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return subcommand === 'kill' ? operands[1] : operands[0];
}

interface Ctx {
  f: LaunchctlFailure;
  lines: readonly string[];
  code: number | undefined;
  target: string | undefined;
  stderrFirstLine: string;
  rootHint: boolean;
}

function describe(kind: LaunchctlErrorKind, c: Ctx): { message: string; hint: string } {
  const cmd = ['launchctl', c.f.subcommand, ...c.f.args].join(' ');
  const what = c.stderrFirstLine !== '' ? c.stderrFirstLine : c.code !== undefined ? explainLaunchctlError(c.code) : 'no output';
  const service = serviceName(c);
  const root = c.rootHint ? ' launchctl adds: "Try re-running the command as root for richer errors."' : '';
  switch (kind) {
    case 'not-loaded':
      return {
        message: `${cmd}: ${service} is not loaded in ${domainName(c) ?? 'the domain'}`,
        hint: 'Load it first (lotusctl apply bootstraps missing jobs). gui/<uid>, user/<uid> and system are separate domains: check the job is loaded where you look.',
      };
    case 'not-running':
      return {
        message: `${cmd}: ${service} is loaded but has no running process to signal`,
        hint: 'Start it with `launchctl kickstart <service-target>`, or read its last exit in `launchctl print <service-target>`.',
      };
    case 'io-error':
      return {
        message: `${cmd} failed: ${what}`,
        hint:
          'EIO (5) is launchd\'s catch-all. Usual causes: the job is already loaded; its label is disabled (see `launchctl print-disabled <domain>`); ' +
          'a bootout of the same label is still finishing (retry in a few seconds); the plist is invalid (`plutil -lint`) or has bad ownership/permissions ' +
          '(owned by you or root, not group- or world-writable); or LimitLoadToSessionType does not match the domain (wrong session type).' +
          root,
      };
    case 'in-progress':
      return {
        message: `${cmd}: launchd is still busy with ${service} (${what})`,
        hint: 'A previous bootout or start of this job is still running; wait a few seconds and retry.',
      };
    case 'no-gui-domain':
      return {
        message: `${cmd}: ${domainName(c) ?? 'the GUI domain'} does not exist (no console login session for this user)`,
        hint: 'gui/<uid> exists only while the user is logged in at the console. Over SSH or on a headless Mac set `domain: user` in lotus.yaml, or log in at the console and retry.',
      };
    case 'usage':
      return {
        message: `${cmd}: launchctl rejected the arguments (${what})`,
        hint: 'launchctl did not accept this target or flag on this macOS version. This is a lotusctl bug: please report it with the output of --debug.',
      };
    case 'disabled':
      return {
        message: `${cmd}: ${service} is disabled`,
        hint: 'A disabled label cannot be loaded. Run `launchctl enable <service-target>` (lotusctl apply enables jobs before bootstrapping them).',
      };
    case 'bad-permissions':
      return {
        message: `${cmd}: the plist has bad ownership or permissions`,
        hint: 'The plist must be owned by the loading user (~/Library/LaunchAgents) or root (/Library/...), and not be group- or world-writable: chmod 644 it.',
      };
    case 'exists':
      return {
        message: `${cmd}: ${service} is already loaded`,
        hint: 'Unload it first with `launchctl bootout <service-target>` (lotusctl apply does this when the definition changed).',
      };
    case 'launchd-error':
      return {
        message: `${cmd} failed: launchd error ${c.code !== undefined ? explainLaunchctlError(c.code) : what}`,
        hint: launchdHint(c.code) + root,
      };
    case 'not-privileged':
      return {
        message: `${cmd}: not permitted (${what})`,
        hint: 'Changing the system domain or signalling another user\'s job needs root: run with sudo, or use a gui/user domain for your own jobs.',
      };
    case 'unknown':
      return {
        message: `${cmd} failed${c.f.exitCode === undefined ? '' : ` with exit code ${c.f.exitCode}`}: ${what}`,
        hint: 'Run the command by hand to see its full output; `launchctl error <code>` explains a numeric code.' + root,
      };
  }
}

function launchdHint(code: number | undefined): string {
  switch (code) {
    case 109:
      return 'The plist is not a valid property list: check it with `plutil -lint <plist>`.';
    case 111:
      return 'The plist has no usable Program/ProgramArguments: it needs an absolute program path.';
    case 114:
    case 115:
      return 'UserName/GroupName names a user or group that does not exist on this Mac.';
    case 124:
      return 'The domain is shutting down (logout or reboot in progress); retry once it is back.';
    case 134:
      return 'LimitLoadToSessionType does not match this domain: Aqua jobs need gui/<uid>, Background jobs user/<uid>.';
    case 150:
      return 'System Integrity Protection forbids this; lotusctl jobs should live outside /System.';
    case 155:
      return 'The program is quarantined: clear it with `xattr -d com.apple.quarantine <program>`.';
    default:
      return 'Run `launchctl error <code>` for launchd\'s description; running the command as root may give a more specific code.';
  }
}

function serviceName(c: Ctx): string {
  for (const line of c.lines) {
    const m = NOT_FOUND_RE.exec(line) ?? /^Could not \w+ service "([^"]*)"/.exec(line);
    if (m) return `service "${m[1]}"`;
  }
  const t = c.target;
  if (t && /^(gui|user)\/\d+\/./.test(t)) return `service "${t.split('/').slice(2).join('/')}"`;
  if (t && t.startsWith('system/')) return `service "${t.slice('system/'.length)}"`;
  if (t && c.f.subcommand === 'list') return `service "${t}"`;
  return 'the service';
}

function domainName(c: Ctx): string | undefined {
  const m = c.target ? /^(system|(?:gui|user)\/\d+)(?:\/|$)/.exec(c.target) : null;
  if (m) return m[1] as string;
  for (const line of c.lines) {
    const nf = NOT_FOUND_RE.exec(line) ?? /^Could not find domain for (.*)$/.exec(line);
    const name = nf ? (nf[2] ?? nf[1] ?? '').trim() : undefined;
    if (name === undefined) continue;
    const gui = /^user gui: (\d+)$/.exec(name);
    if (gui) return `gui/${gui[1]}`;
    // launchctl's "uid: N" names the user/N domain (specs/launchd-behaviour.md §2; the mapping is our inference).
    const uid = /^uid: (\d+)$/.exec(name);
    if (uid) return `user/${uid[1]}`;
    if (name === 'system') return 'system';
    if (name === 'port') return "the caller's domain";
    if (name === 'port (Aqua)') return 'the Aqua (GUI) session';
    return name === '' ? undefined : `domain "${name}"`;
  }
  return undefined;
}
