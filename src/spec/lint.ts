import type { Diagnostic } from '../model/diagnostic.js';
import { NO_SIGKILL_WAIT_S } from '../launchd/stop-wait.js';
import { parseDuration } from './units.js';
import type { ServiceSpec, Spec } from './schema.js';

type Located = Omit<Diagnostic, 'line' | 'col'> & { at?: 'key' | 'value' };

/** Lotus raises its own soft limit to 16384 open files and warns when it cannot (specs/lotus-operations.md §1, §4). */
export const LOTUS_OPEN_FILES = 16384;
const MIN_EXIT_TIMEOUT_MS = 60_000;
const TMP_DIRS = /^(\/tmp|\/private\/tmp|\/var\/tmp|\/private\/var\/tmp|\$TMPDIR)(\/|$)/;
// launchd may not open files in these TCC-protected folders: a cause of EX_CONFIG (specs/launchd-behaviour.md §9).
// Exported: the host-aware check (src/spec/desired.ts) covers resolved paths and leaves these raw ones to this one.
export const PRIVACY_DIRS = /^(~|\$HOME|\/Users\/[^/]+)\/(Desktop|Documents|Downloads)(\/|$)/;

function logPaths(s: ServiceSpec): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s.logs?.dir) out.push(['dir', s.logs.dir]);
  if (s.logs?.stdout) out.push(['stdout', s.logs.stdout]);
  if (s.logs?.stderr) out.push(['stderr', s.logs.stderr]);
  return out;
}

/** LaunchControl-style warnings: legal plists that will not do what a Lotus operator wants. */
export function lintProblems(spec: Spec): Located[] {
  const out: Located[] = [];
  const warn = (path: (string | number)[], code: string, message: string, hint: string, at?: 'key') =>
    out.push({ severity: 'warning', code, path, message, hint, ...(at ? { at } : {}) });

  for (const [name, s] of Object.entries(spec.services)) {
    const p = (...rest: (string | number)[]) => ['services', name, ...rest];
    const domain = s.domain ?? spec.defaults.domain;

    if (typeof s.keep_alive === 'object' && s.keep_alive.network_state !== undefined) {
      warn(p('keep_alive', 'network_state'), 'lint.network-state', 'KeepAlive.NetworkState is no longer implemented by launchd; it has no effect', 'remove network_state', 'key');
    }
    if (domain !== 'system') {
      if (s.user !== undefined) warn(p('user'), 'lint.username-in-agent', `UserName is ignored in the ${domain} domain (launchd honours it only for LaunchDaemons)`, 'remove user, or use domain: system', 'key');
      if (s.group !== undefined) warn(p('group'), 'lint.groupname-in-agent', `GroupName is ignored in the ${domain} domain (launchd honours it only for LaunchDaemons)`, 'remove group, or use domain: system', 'key');
    } else if (s.session_type !== undefined) {
      warn(p('session_type'), 'lint.session-type-in-daemon', 'LimitLoadToSessionType applies to agents only; a LaunchDaemon ignores it', 'remove session_type', 'key');
    }
    if (domain !== 'system' && s.session_type !== undefined) {
      const types: readonly string[] = Array.isArray(s.session_type) ? s.session_type : [s.session_type];
      // launchd.plist(5): a job loads only into sessions of the listed types (specs/launchd-behaviour.md §1).
      const needed = domain === 'user' ? 'Background' : 'Aqua';
      if (!types.includes(needed)) {
        out.push({
          severity: 'error', code: 'spec.session-type-excludes-domain', path: p('session_type'),
          message: `session_type ${types.join(', ')} leaves out ${needed}, the session of the ${domain} domain: launchd refuses to load the job there`,
          hint: domain === 'user' ? 'remove session_type (lotusctl writes Background for domain: user)' : 'remove session_type (an agent without it is an Aqua agent)',
        });
      } else if (domain === 'user' && types.includes('Aqua')) {
        warn(p('session_type'), 'lint.user-agent-also-aqua', 'session_type includes Aqua: the next console login loads this plist into gui/<uid> too, and a second Lotus fights the first over the repo lock', 'remove session_type (lotusctl writes Background alone for domain: user)');
      }
    }
    if (s.process_type === 'Background') {
      warn(p('process_type'), 'lint.background-process-type', 'ProcessType Background throttles CPU and I/O: a syncing node falls behind the chain', 'use Interactive or Standard');
    }
    if (s.nice !== undefined && s.nice > 0) {
      warn(p('nice'), 'lint.positive-nice', `Nice ${s.nice} lowers the node's CPU priority: a syncing node falls behind the chain`, 'use 0 or a negative value');
    }
    if (s.low_priority_io === true || s.low_priority_background_io === true) {
      const key = s.low_priority_io === true ? 'low_priority_io' : 'low_priority_background_io';
      warn(p(key), 'lint.low-priority-io', 'low-priority I/O throttles disk access: a syncing node falls behind the chain', `set ${key}: false`);
    }
    const exitMs = parseDuration(s.exit_timeout ?? '') ?? undefined;
    if (exitMs === 0) {
      // launchd.plist(5), specs/launchd-behaviour.md §1: ExitTimeOut 0 = infinite, no SIGKILL ever.
      warn(p('exit_timeout'), 'lint.exit-timeout-never-kills', `exit_timeout: ${s.exit_timeout} means launchd never sends SIGKILL: a Lotus that hangs while stopping blocks bootout, apply and the monitor's restarts for as long as it hangs (lotusctl gives up waiting after ${NO_SIGKILL_WAIT_S / 60} minutes)`, 'use 120s or more: time for Lotus to close its datastores, with SIGKILL as the last resort');
    } else if (s.exit_timeout !== undefined && exitMs !== undefined && exitMs < MIN_EXIT_TIMEOUT_MS) {
      warn(p('exit_timeout'), 'lint.exit-timeout-short', `launchd sends SIGKILL ${s.exit_timeout} after SIGTERM: Lotus may need minutes to close its datastores cleanly`, 'use 120s or more');
    }
    if (domain === 'system') {
      // launchd.plist(5) (specs/launchd-behaviour.md §1): in a system daemon NumberOfFiles also sets kern.maxfiles (soft)
      // and kern.maxfilesperproc (hard), NumberOfProcesses kern.maxproc / kern.maxprocperuid: for the whole machine.
      for (const [field, key, sysctls] of [['open_files', 'NumberOfFiles', 'kern.maxfiles (soft) and kern.maxfilesperproc (hard)'], ['processes', 'NumberOfProcesses', 'kern.maxproc (soft) and kern.maxprocperuid (hard)']] as const) {
        if (s.limits?.[field] === undefined) continue;
        warn(p('limits', field), 'lint.daemon-limit-machine-wide', `in a LaunchDaemon, ${key} also sets ${sysctls} for the whole machine, not just this job: a low value starves every other process`, 'set it no lower than the Mac already has (sysctl kern.maxfiles kern.maxfilesperproc), or run the node as an agent');
      }
    }
    const soft = s.limits?.open_files?.soft;
    if (soft !== undefined && soft < LOTUS_OPEN_FILES) {
      warn(p('limits', 'open_files', 'soft'), 'lint.open-files-low', `an open-files soft limit of ${soft} is below the ${LOTUS_OPEN_FILES} Lotus asks for; badger fails with "too many open files"`, `use soft: ${LOTUS_OPEN_FILES} or more`);
    }
    const hard = s.limits?.open_files?.hard;
    if (soft !== undefined && hard !== undefined && soft > hard) {
      out.push({ severity: 'error', code: 'spec.limit-soft-above-hard', path: p('limits', 'open_files'), message: `soft limit ${soft} is above hard limit ${hard}`, hint: 'setrlimit refuses a soft limit above the hard one' });
    }
    for (const [key, value] of logPaths(s)) {
      if (TMP_DIRS.test(value)) warn(p('logs', key), 'lint.logs-in-tmp', `logs under ${value.split('/').slice(0, 2).join('/') || value} are world-readable and wiped at boot`, 'use ~/Library/Logs/lotus');
      if (PRIVACY_DIRS.test(value)) warn(p('logs', key), 'lint.logs-in-privacy-folder', 'launchd may not open files in Desktop, Documents or Downloads (privacy protection), and the job then fails with EX_CONFIG', 'use ~/Library/Logs/lotus');
    }
    if (PRIVACY_DIRS.test(s.program)) {
      warn(p('program'), 'lint.program-in-privacy-folder', 'a program in Desktop, Documents or Downloads needs Full Disk Access, or launchd fails with EX_CONFIG', 'install it under /usr/local/bin or /opt/homebrew/bin');
    }
    for (const dep of s.depends_on) {
      const target = spec.services[dep];
      if (target && target.state !== 'running' && s.state === 'running') {
        warn(p('depends_on'), 'lint.dependency-not-running', `depends on "${dep}", whose state is ${target.state}`, `set ${dep}.state: running, or this service waits forever`);
      }
    }
  }
  return out;
}
