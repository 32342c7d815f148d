// The text `launchctl error <n>` prints for launchd's own codes 107-159 (specs/launchd-behaviour.md §4, from
// Alkenso/sLaunchctl Internals/Error.swift), and the POSIX codes launchctl is seen to return.

/** launchd error codes 107-159 and their text, verbatim (including launchd's own typos). */
export const LAUNCHD_ERROR_TEXT: Readonly<Record<number, string>> = Object.freeze({
  107: 'Malformed bundle',
  108: 'Invalid path',
  109: 'Invalid property list',
  110: 'Invalid or missing service identifier',
  111: 'Invalid or missing Program/ProgramArguments',
  112: 'Could not find specified domain',
  113: 'Could not find specified service',
  114: 'The specified username does not exist',
  115: 'The specified group does not exist',
  116: 'Routine not yet implemented',
  117: '(n/a)',
  118: 'Bad response from server',
  119: 'Service is disabled',
  120: 'Bad subsystem destination for request',
  121: 'Path not searched for services',
  122: 'Path had bad ownership/permissions',
  123: 'Path is whitelisted for domain',
  124: 'Domain is tearing down',
  125: 'Domain does not support specified action',
  126: 'Request type is no longer supported',
  127: 'The specified service did not ship with the operating system',
  128: 'The specified path is not a bundle',
  129: 'The service was superseded by a later later version',
  130: 'The system encountered a condition where behavior was undefined',
  131: 'Out of order requests',
  132: 'Request for stale data',
  133: 'Multiple errors were returned; see stderr',
  134: 'Service cannot load in requested session',
  135: 'Process is not managed',
  136: 'Action not allowed on singleton service',
  137: 'Service does not support the specified action',
  138: 'Service cannot be loaded on this hardware',
  139: 'Service cannot presently execute',
  140: 'Service name is reserved or invalid',
  141: 'Reentrancy avoided',
  142: 'Operation only supported on development',
  143: 'Requested entry was cached',
  144: 'Requestor lacks required entitlement',
  145: 'Endpoint is hidden',
  146: 'Domain is in on-demand-only mode',
  147: 'The specified service did not ship in the requestor',
  148: 'The specified service path was not in the service cache',
  149: 'Could not find a bundle of the given identifier through LaunchServices',
  150: 'Operation not permitted while System Integrity Protection is engaged',
  151: 'A complete hack',
  152: 'Service cannot load in current boot environment',
  153: 'Completely unexpected error',
  154: 'Requestor is not a platform binary',
  155: 'Refusing to execute/trust quarantined program/file',
  156: 'Domain creation with that UID is not allowed anymore',
  157: 'System service is not in system service whitelist',
  158: 'Service cannot be loaded on current os variant',
  159: 'Unknown error',
});

/** POSIX errno values launchctl is seen to exit with (specs/launchd-behaviour.md §4), plus 1 (EPERM) and 64 (EX_USAGE). */
export const POSIX_ERROR_TEXT: Readonly<Record<number, string>> = Object.freeze({
  // EPERM is not in the captures; it is the errno a non-root caller gets for the system domain (unverified).
  1: 'Operation not permitted',
  3: 'No such process',
  5: 'Input/output error',
  17: 'File exists',
  22: 'Invalid argument',
  36: 'Operation now in progress',
  37: 'Operation already in progress',
  64: 'Usage error',
});

/** True for launchd's own error range 107-159. */
export function isLaunchdErrorCode(code: number): boolean {
  return Number.isInteger(code) && code >= 107 && code <= 159;
}

/** The text for a launchctl code (POSIX or launchd), or undefined when we do not know it. */
export function launchctlCodeText(code: number): string | undefined {
  return LAUNCHD_ERROR_TEXT[code] ?? POSIX_ERROR_TEXT[code];
}
