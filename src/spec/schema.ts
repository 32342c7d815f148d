import '../model/zod-config.js';
import * as z from 'zod';
import { LABEL_PATTERN } from '../launchd/domain.js';
import { cronProblem } from './cron.js';
import { MAX_COUNT, MAX_DURATION_MS, MAX_INTERVAL_MS, MAX_LABEL_LENGTH, MAX_REPORT_RETENTION_MS, MAX_REPORTS_KEPT, MAX_RETENTION_MS, MAX_ROTATED_LOGS, MAX_SIZE_BYTES, MIN_LOG_ROTATE_BYTES, MIN_REPORT_RETENTION_MS } from './bounds.js';
import { formatDuration, parseDuration, parseSize } from './units.js';

// The lotus.yaml schema. Field names are snake_case; each .describe() text ends up in specs/lotus.schema.json,
// so editors show it. Every object is strict: an unknown key is an error with a did-you-mean.

/** A service name: becomes part of the default label and of log file names. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

const quoted = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** A duration string of at most `maxMs` (and at least `minMs`); the messages name the bound and why it is there. */
const durationWithin = (maxMs: number, why: string, minMs = 0, minMessage = '') =>
  z.string().superRefine((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as "30s", "5m" or "1h30m"' });
    } else if (!(ms <= maxMs)) {
      ctx.addIssue({ code: 'custom', message: `too long: at most ${formatDuration(maxMs)} (${why}), got ${quoted(s)}`, params: { code: 'spec.too-big' } });
    } else if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: minMessage, params: { code: 'spec.too-small' } });
    }
  });

const DURATION_WHY = '2^31-1 seconds, the longest launchd stores';
const duration = durationWithin(MAX_DURATION_MS, DURATION_WHY);
const positiveDuration = durationWithin(MAX_DURATION_MS, DURATION_WHY, 1, 'must be longer than 0s');
/** A wait lotusctl itself times with a Node timer (an alert's timeout), which holds at most 2^31-1 ms. */
const timerDuration = durationWithin(MAX_INTERVAL_MS, 'timers hold 2^31-1 ms', 1, 'must be longer than 0s');
const size = z
  .union([z.string(), z.number().int().nonnegative()])
  .superRefine((s, ctx) => {
    const bytes = parseSize(s);
    if (bytes === undefined) ctx.addIssue({ code: 'custom', message: 'expected a size such as "4GiB", "512MiB" or a number of bytes' });
    else if (!(bytes <= MAX_SIZE_BYTES)) {
      ctx.addIssue({ code: 'custom', message: `too big: at most ${MAX_SIZE_BYTES} bytes (2^53-1, the largest exact integer), got ${quoted(String(s))}`, params: { code: 'spec.too-big' } });
    }
  });
const logSize = size.refine((s) => (parseSize(s) ?? Infinity) >= MIN_LOG_ROTATE_BYTES, { message: 'must be at least 1KiB' });
const schedule = z.string().superRefine((s, ctx) => {
  const ms = parseDuration(s);
  if (ms !== undefined) {
    if (ms < 1000) ctx.addIssue({ code: 'custom', message: 'an interval must be at least 1s' });
    else if (!(ms <= MAX_INTERVAL_MS)) {
      ctx.addIssue({ code: 'custom', message: `too long: an interval is at most ${formatDuration(MAX_INTERVAL_MS)} (timers hold 2^31-1 ms); use a cron expression such as "0 0 1 * *" for rarer runs, got ${quoted(s)}`, params: { code: 'spec.too-big' } });
    }
    return;
  }
  const problem = cronProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `expected a duration ("30s") or a cron expression ("0 0 * * *"): ${problem}` });
});
const path = z.string().min(1, 'must not be empty').refine((s) => !s.includes('\0'), { message: 'must not contain NUL' });
const label = z.string().superRefine((s, ctx) => {
  if (s.length > MAX_LABEL_LENGTH) {
    ctx.addIssue({
      code: 'custom', message: `too long (${s.length} characters, at most ${MAX_LABEL_LENGTH})`,
      params: { code: 'spec.label-too-long', hint: `the plist file is named <label>.plist, and a file name holds at most 255 bytes` },
    });
  } else if (!LABEL_PATTERN.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'a label may hold only letters, digits, ".", "_" and "-", must start with a letter or digit, and may not contain ".."', params: { code: 'spec.invalid-format' } });
  }
});
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'an environment variable name is letters, digits and "_"' });

export const DOMAINS = ['gui', 'user', 'system'] as const;
export const DEFAULT_STATE_DIR = '~/Library/Application Support/lotusctl';
export const domain = z
  .enum(DOMAINS)
  .describe('gui: a LaunchAgent in the console login session; user: a background agent that also works over SSH; system: a LaunchDaemon (root)');

const limitPair = <T extends z.ZodType>(value: T) =>
  z.strictObject({ soft: value.optional(), hard: value.optional() }).refine((p) => p.soft !== undefined || p.hard !== undefined, {
    message: 'give soft, hard or both',
  });
// launchd and the kernel keep these counts as `int` (specs/lotus-yaml.md, "Bounds").
const count = z.number().int().nonnegative().max(MAX_COUNT);

export const limitsSchema = z
  .strictObject({
    open_files: limitPair(count).optional().describe('NumberOfFiles. Lotus asks for 16384 open files.'),
    processes: limitPair(count).optional().describe('NumberOfProcesses'),
    core: limitPair(size).optional().describe('Core: largest core file'),
    cpu: limitPair(duration).optional().describe('CPU: CPU time'),
    data: limitPair(size).optional().describe('Data: data segment size'),
    file_size: limitPair(size).optional().describe('FileSize: largest file the job may create'),
    memory_lock: limitPair(size).optional().describe('MemoryLock: memory that may be locked'),
    resident_set_size: limitPair(size).optional().describe('ResidentSetSize'),
    stack: limitPair(size).optional().describe('Stack'),
  })
  .describe('Soft/HardResourceLimits (setrlimit)');

export const keepAliveSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      successful_exit: z.boolean().optional().describe('true: restart while it exits 0; false: restart while it exits non-zero'),
      crashed: z.boolean().optional().describe('true: restart after a crash signal; false: the opposite'),
      path_state: z.record(path, z.boolean()).optional().describe('keep alive while the path exists (true) or not (false)'),
      other_job_enabled: z.record(label, z.boolean()).optional().describe('keep alive while the other job is loaded (true) or not (false)'),
      after_initial_demand: z.boolean().optional().describe('apply the rules only after the first demand launch (undocumented by Apple)'),
      network_state: z.boolean().optional().describe('no longer implemented by launchd; accepted with a warning'),
    }),
  ])
  .describe('KeepAlive: true, false, or conditions');

const secretRef = z.strictObject({ file: path.describe('file whose contents (trailing newline trimmed) become the value') });

export const healthSchema = z
  .strictObject({
    api: z
      .union([z.literal('auto'), z.literal('none'), z.string().regex(/^(\/ip[46]\/|https?:\/\/)/, { message: 'expected "auto", "none", a multiaddr or an http(s) URL' })])
      .default('auto')
      .describe('where to probe the JSON-RPC API: auto (read <repo>/api), none, a multiaddr or a URL'),
    startup_grace: duration.default('5m').describe('how long after a start failures do not count'),
    max_chain_lag: count.default(5).describe('epochs behind the expected height before the node is unhealthy'),
    min_peers: count.default(1).describe('fewest peers before the node is unhealthy'),
  })
  .describe('health checks for the monitor and for apply');

export const PROCESS_TYPES = ['Background', 'Standard', 'Adaptive', 'Interactive'] as const;
export const SESSION_TYPES = ['Aqua', 'Background', 'LoginWindow', 'StandardIO', 'System'] as const;

export const serviceSchema = z
  .strictObject({
    label: label.optional().describe('launchd Label; default com.lotusctl.<service name>'),
    domain: domain.optional().describe('overrides defaults.domain'),
    state: z.enum(['running', 'stopped', 'absent']).default('running').describe('running: loaded and running; stopped: plist installed, job booted out and disabled so it stays stopped across reboots and logins; absent: removed'),
    program: path.describe('executable; a bare name is resolved to an absolute path at plan time'),
    args: z.array(z.string()).default([]).describe('arguments after the program (ProgramArguments[1..])'),
    repo: path.optional().describe('Lotus repo; becomes LOTUS_PATH (absolute)'),
    env: z.record(envName, z.string()).default({}).describe('EnvironmentVariables'),
    secret_env: z.record(envName, secretRef).default({}).describe('EnvironmentVariables whose values are read from files and never printed'),
    working_directory: path.optional().describe('WorkingDirectory'),
    logs: z
      .strictObject({
        dir: path.optional().describe('directory for <service>.out.log and <service>.err.log'),
        stdout: path.optional().describe('StandardOutPath (overrides dir)'),
        stderr: path.optional().describe('StandardErrorPath (overrides dir)'),
      })
      .optional()
      .describe('where stdout and stderr go; launchd sends them to /dev/null otherwise'),
    run_at_load: z.boolean().default(true).describe('RunAtLoad'),
    keep_alive: keepAliveSchema.default({ successful_exit: false }),
    throttle_interval: duration.optional().describe('ThrottleInterval: fewest seconds between spawns (launchd default 10s)'),
    exit_timeout: duration.default('120s').describe('ExitTimeOut: SIGTERM to SIGKILL; Lotus shuts down gracefully, give it minutes (launchd alone would wait about 5s); 0s: launchd never sends SIGKILL'),
    process_type: z.enum(PROCESS_TYPES).optional().describe('ProcessType; Interactive or Standard for a syncing node'),
    nice: z.number().int().min(-20).max(20).optional().describe('Nice'),
    low_priority_io: z.boolean().optional().describe('LowPriorityIO'),
    low_priority_background_io: z.boolean().optional().describe('LowPriorityBackgroundIO'),
    umask: z
      .union([z.number().int().min(0).max(0o777), z.string().regex(/^0?[0-7]{1,3}$/, { message: 'expected octal digits such as "022"' })])
      .optional()
      .describe('Umask: a string is octal ("022"), a number is decimal (18)'),
    user: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/).optional().describe('UserName (system domain only)'),
    group: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/).optional().describe('GroupName (system domain only)'),
    session_type: z
      .union([z.enum(SESSION_TYPES), z.array(z.enum(SESSION_TYPES)).min(1)])
      .optional()
      .describe('LimitLoadToSessionType (agents only)'),
    abandon_process_group: z.boolean().optional().describe('AbandonProcessGroup'),
    limits: limitsSchema.optional(),
    depends_on: z.array(z.string()).default([]).describe('services that must be ready before this one starts'),
    health: healthSchema.optional(),
    plist_extra: z.record(z.string(), z.unknown()).default({}).describe('other launchd keys, checked against the launchd.plist(5) types'),
  })
  .describe('a Lotus service run as a launchd job');

export const NOTIFY_EVENTS = ['restart', 'breaker-open', 'unhealthy', 'recovered'] as const;
const notifyEvents = z.array(z.enum(NOTIFY_EVENTS)).min(1);

export const notifyTargetSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, { message: 'a target name is lower-case letters, digits and "-", starting with a letter' }).optional()
      .describe('names the target in logs and in the delivery queue (default: its kind and a digest)'),
    events: notifyEvents.optional().describe('events this target gets (default: monitor.notify.events)'),
    webhook: z
      .strictObject({
        url: secretRef.describe('file holding the URL (tokens included): read at delivery time, never logged or printed'),
        format: z.enum(['json', 'slack', 'discord', 'ntfy']).default('json').describe('body: the event as JSON, or a Slack, Discord or ntfy message'),
        timeout: timerDuration.default('10s').describe('give up on an attempt after this long (retried later)'),
      })
      .optional()
      .describe('an HTTP POST with a JSON body'),
    macos: z
      .strictObject({ sound: z.string().min(1).optional().describe('a sound name from /System/Library/Sounds, e.g. Basso') })
      .optional()
      .describe('a macOS notification (osascript) in the GUI session the monitor runs in'),
    command: z
      .strictObject({
        argv: z.array(z.string()).min(1).describe('program and arguments, run without a shell; the event arrives as JSON on stdin'),
        timeout: timerDuration.default('30s').describe('an attempt fails if the command runs longer'),
      })
      .optional()
      .describe('a program of yours; exit 0 means delivered'),
  })
  .refine((t) => [t.webhook, t.macos, t.command].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of webhook, macos or command' })
  .describe('where one notification goes');

export const notifySchema = z
  .strictObject({
    events: notifyEvents.default([...NOTIFY_EVENTS]).describe('restart, breaker-open, unhealthy (longer than unhealthy_after) and recovered'),
    unhealthy_after: positiveDuration.default('10m').describe('tell a person when a service stays unhealthy, stopped or unreadable this long'),
    retry: z
      .strictObject({
        initial: positiveDuration.default('30s').describe('wait after the first failed delivery'),
        max: positiveDuration.default('30m').describe('longest wait between attempts (doubling from initial)'),
      })
      .prefault({})
      .describe('failed deliveries stay queued in the state folder and are retried, across monitor restarts'),
    targets: z.array(notifyTargetSchema).min(1).describe('where notifications go'),
  })
  .describe('alerts: tell a person when the monitor restarts a service, opens its circuit breaker, or sees it unhealthy, and when it recovers');

export const monitorSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    label: label.default('com.lotusctl.monitor').describe('launchd Label of the monitor job'),
    schedule: schedule.default('30s').describe('how often to probe: a duration or a cron expression'),
    auto_restart: z.boolean().default(true).describe('restart an unhealthy service'),
    failure_threshold: count.min(1).default(3).describe('consecutive failed probes before a restart'),
    max_memory: size.optional().describe('restart a service whose resident memory exceeds this'),
    backoff: z
      .strictObject({
        initial: positiveDuration.default('30s'),
        max: positiveDuration.default('30m'),
        reset_after: positiveDuration.default('10m').describe('healthy this long resets the backoff'),
      })
      .prefault({})
      .describe('delay between restarts, doubling from initial up to max'),
    circuit_breaker: z
      .strictObject({
        max_restarts: count.min(1).default(5),
        window: positiveDuration.default('1h'),
      })
      .prefault({})
      .describe('stop restarting after max_restarts within window'),
    log_rotation: z
      .strictObject({
        max_size: logSize.default('64MiB').describe('rotate a log when it grows past this (at least 1KiB)'),
        keep: z.number().int().min(0).max(MAX_ROTATED_LOGS).default(3).describe(`rotated copies kept, <log>.1 (newest) to <log>.<keep>; 0 only truncates (at most ${MAX_ROTATED_LOGS})`),
      })
      .prefault({})
      .describe("size-based rotation of the services' and the monitor's own log files (copy, then truncate in place: launchd keeps them open)"),
    samples_retention: durationWithin(MAX_RETENTION_MS, 'ten years', 86_400_000, 'must be at least 1d (a report covers a day)')
      .default('30d')
      .describe('samples older than this are deleted by the monitor (at least 1d, at most 3660d)'),
    reports: z
      .strictObject({
        schedule: schedule.default('0 0 * * *'),
        dir: path.default('~/Library/Logs/lotusctl/reports'),
        formats: z.array(z.enum(['json', 'md', 'html'])).min(1).default(['json', 'html']),
        retention: durationWithin(MAX_REPORT_RETENTION_MS, 'ten years', MIN_REPORT_RETENTION_MS, 'must be at least 1h')
          .default('90d')
          .describe('report files older than this (by the time in their name) are deleted by the monitor (at least 1h, at most 3660d)'),
        keep: z.number().int().min(1).max(MAX_REPORTS_KEPT).default(100)
          .describe(`the newest report files kept per format; older ones are deleted by the monitor (1 to ${MAX_REPORTS_KEPT})`),
      })
      .prefault({})
      .describe('periodic health reports; the monitor deletes only its own lotus-health-<time>.<format> files there, past retention or keep'),
    notify: notifySchema.optional(),
  })
  .describe('the health monitor, itself a launchd job');

export const specSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored'),
    version: z.literal(1).describe('format version; always 1'),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, { message: 'a spec name is lower-case letters, digits, ".", "_" and "-", starting with a letter or digit' })
      .optional()
      .describe("this spec's identity in lotusctl's state (jobs are recorded as owned by it); default: the spec file's path. Set it to move or rename the file freely"),
    defaults: z
      .strictObject({
        domain: domain.default('gui'),
        state_dir: path.default(DEFAULT_STATE_DIR).describe('where lotusctl keeps its state, locks and backups'),
      })
      .prefault({}),
    services: z
      .record(z.string().regex(SERVICE_NAME_PATTERN, { message: 'a service name is lower-case letters, digits and "-", starting with a letter' }), serviceSchema)
      .refine((s) => Object.keys(s).length > 0, { message: 'declare at least one service' }),
    monitor: monitorSchema.optional(),
  })
  .describe('lotus.yaml: the desired state of the Lotus services on this Mac');

export type SpecInput = z.input<typeof specSchema>;
export type Spec = z.output<typeof specSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type MonitorSpec = z.output<typeof monitorSchema>;
export type KeepAliveSpec = z.output<typeof keepAliveSchema>;
export type LimitsSpec = z.output<typeof limitsSchema>;
export type HealthSpec = z.output<typeof healthSchema>;
export type NotifySpec = z.output<typeof notifySchema>;
export type NotifyTargetSpec = z.output<typeof notifyTargetSchema>;
