// Every stderr text the double prints, in one place. Sources: specs/launchd-behaviour.md §3/§4 and test/fixtures/launchctl/stderr/.
import { domainErrorName, type Domain } from './targets.js';

/** strerror()/launchd-error texts for the codes the double returns (specs/launchd-behaviour.md §4). */
const ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  5: 'Input/output error',
  17: 'File exists',
  22: 'Invalid argument',
  36: 'Operation now in progress',
  37: 'Operation already in progress',
  109: 'Invalid property list',
  110: 'Invalid or missing service identifier',
  111: 'Invalid or missing Program/ProgramArguments',
  112: 'Could not find specified domain',
  113: 'Could not find specified service',
  119: 'Service is disabled',
  122: 'Path had bad ownership/permissions',
  125: 'Domain does not support specified action',
  134: 'Service cannot load in requested session',
};

export function errorText(code: number): string {
  return ERROR_TEXT[code] ?? `Unknown error: ${code}`;
}

/** Second line for non-root callers (stderr/bootstrap-5-eio-gui-nonroot.txt). */
export const ROOT_HINT = 'Try re-running the command as root for richer errors.';

export const bootstrapFailed = (code: number): string => `Bootstrap failed: ${code}: ${errorText(code)}`;
export const bootoutFailed = (code: number): string => `Boot-out failed: ${code}: ${errorText(code)}`;
export const kickstartFailed = (label: string, code: number): string => `Could not kickstart service "${label}": ${code}: ${errorText(code)}`;
export const serviceNotFound = (label: string, d: Domain): string => `Could not find service "${label}" in domain for ${domainErrorName(d)}`;
// `list <label>` goes through the legacy path, which names the domain `port` (stderr/list-label-113-not-found-port.txt).
export const serviceNotFoundPort = (label: string): string => `Could not find service "${label}" in domain for port`;
export const domainNotFound = (d: Domain): string => `Could not find domain for ${domainErrorName(d)}`;
// enable/disable failure format of the Procursus clone (specs/launchd-behaviour.md §3 sources); not seen from Apple's binary (unverified).
export const enableFailed = (verb: 'enable' | 'disable', code: number): string => `Could not ${verb} service: ${code}: ${errorText(code)}`;
// kill/blame texts: Procursus clone (specs/launchd-behaviour.md §3 "reported"); unverified on Apple's launchctl.
export const NO_PROCESS = 'No process to signal.';
export const NOT_PRIVILEGED_SIGNAL = 'Not privileged to signal service.';
export const INVALID_SIGNAL = 'Invalid signal.';

// Usage strings per subcommand; bootout's is the seen one (stderr/bootout-usage-64-unrecognized-target.txt), the
// others follow launchctl(1)'s synopsis in the same shape (unverified).
const USAGE: Readonly<Record<string, string>> = {
  bootstrap: 'bootstrap <domain-target> [service-path, service-path2, ...]',
  bootout: 'bootout <domain-target> [service-path1, service-path2, ...] | <service-target>',
  enable: 'enable <service-target>',
  disable: 'disable <service-target>',
  kickstart: 'kickstart [-kp] <service-target>',
  kill: 'kill <signal-number|signal-name> <service-target>',
  print: 'print <domain-target> | <service-target>',
  'print-disabled': 'print-disabled <domain-target>',
  blame: 'blame <service-target>',
  list: 'list [service-name]',
};

export const UNRECOGNIZED_TARGET = 'Unrecognized target specifier.';

/**
 * The usage block (exit 64). With `reason` it is the 4-line text of the bootout fixture:
 * reason, `Usage: launchctl <sub> …`, and the two target-specifier lines.
 */
export function usageText(subcommand: string | undefined, reason?: string): string {
  const usage = subcommand !== undefined ? USAGE[subcommand] : undefined;
  const lines = [
    ...(reason === undefined ? [] : [reason]),
    `Usage: launchctl ${usage ?? '<subcommand> ... | help [subcommand]'}`,
    '<service-target> takes a form of <domain-target>/<service-id>.',
    'Please refer to `man launchctl` for explanation of the <domain-target> specifiers.',
  ];
  return `${lines.join('\n')}\n`;
}

export function isKnownSubcommand(s: string): boolean {
  return USAGE[s] !== undefined;
}

/** sysexits(3) names, printed as `last exit code = 78: EX_CONFIG` (specs/launchd-behaviour.md §5 assumes 64-77 look the same). */
const SYSEXITS: Readonly<Record<number, string>> = {
  64: 'EX_USAGE', 65: 'EX_DATAERR', 66: 'EX_NOINPUT', 67: 'EX_NOUSER', 68: 'EX_NOHOST', 69: 'EX_UNAVAILABLE',
  70: 'EX_SOFTWARE', 71: 'EX_OSERR', 72: 'EX_OSFILE', 73: 'EX_CANTCREAT', 74: 'EX_IOERR', 75: 'EX_TEMPFAIL',
  76: 'EX_PROTOCOL', 77: 'EX_NOPERM', 78: 'EX_CONFIG',
};

export function sysexitName(code: number): string | undefined {
  return SYSEXITS[code];
}

/** What launchd records when it could not exec the program at all (specs/launchd-behaviour.md §5, §9). */
export const EX_CONFIG = 78;
