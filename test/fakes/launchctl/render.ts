// Pure formatters for what launchctl prints on stdout (specs/launchd-behaviour.md §5-§7), fed with snapshots of supervisor state.
import { RESOURCE_LIMITS, type JobDefinition } from './job-definition.js';
import { macSignalText } from './signals.js';
import { domainKey, GUI_ASID, sessionType, type Domain } from './targets.js';
import { sysexitName } from './texts.js';

/** How the job last ended. `jetsam` is a pressured exit (`last exit reason = JETSAM_…`, `(pe)`). */
export type LastExit =
  | { readonly kind: 'never' }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: number }
  | { readonly kind: 'jetsam' };

/** Everything `print`, `list` and the domain table show about one loaded job. */
export interface ServiceSnapshot {
  readonly domain: Domain;
  readonly path: string;
  readonly def: JobDefinition;
  readonly state: 'running' | 'not running' | 'spawn scheduled';
  readonly runs: number;
  /** Only while running. */
  readonly pid?: number;
  readonly immediateReason?: string;
  readonly lastExit: LastExit;
  /** Missing if never run (§5). */
  readonly jobState?: 'running' | 'exited' | 'spawn failed';
  /** The executable launchd resolved, for the `program` line. */
  readonly program: string;
}

const DEFAULT_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

/** The one exit-information line (§5): exactly one per print. */
export function exitInfoLine(e: LastExit): string {
  switch (e.kind) {
    case 'never':
      return 'last exit code = (never exited)';
    case 'exit': {
      const name = sysexitName(e.code);
      return name === undefined ? `last exit code = ${e.code}` : `last exit code = ${e.code}: ${name}`;
    }
    case 'signal':
      return `last terminating signal = ${macSignalText(e.signal)}: ${e.signal}`;
    case 'jetsam':
      return 'last exit reason = JETSAM_REASON_MEMORY_IDLE_EXIT';
  }
}

// ProcessType -> `spawn type` (§1); unset means Standard, which the samples print as daemon (3).
const SPAWN_TYPES: Readonly<Record<string, string>> = {
  Standard: 'daemon (3)',
  Interactive: 'interactive (4)',
  Background: 'background (5)',
  Adaptive: 'adaptive (6)',
  App: 'app (1)',
};

function properties(def: JobDefinition): string {
  const p: string[] = [];
  if (def.runAtLoad) p.push('runatload');
  // A KeepAlive dictionary shows as `semaphores`, not as this flag (wifiFirmwareLoader sample).
  if (def.keepAlive.kind === 'always') p.push('keepalive');
  if (def.enableTransactions) p.push('supports transactions');
  if (def.enablePressuredExit) p.push('supports pressured exit');
  if (def.lowPriorityIO) p.push('low priority i/o');
  if (def.program === undefined) p.push('inferred program');
  return p.join(' | ');
}

function semaphores(def: JobDefinition): string[] {
  if (def.keepAlive.kind !== 'conditions') return [];
  const out: string[] = [];
  // Names: specs/launchd-behaviour.md §5 "our guess" (SuccessfulExit -> successful exit, Crashed -> after crash); PathState and
  // OtherJobEnabled are not printed (their print form is an event trigger we do not emulate).
  if (def.keepAlive.successfulExit !== undefined) out.push(`successful exit => ${def.keepAlive.successfulExit ? 1 : 0}`);
  if (def.keepAlive.crashed !== undefined) out.push(`after crash => ${def.keepAlive.crashed ? 1 : 0}`);
  return out;
}

function umaskText(mask: number): string {
  return mask.toString(8);
}

/** `launchctl print <service-target>` in the tab format of the macOS 26 samples. */
export function renderServicePrint(s: ServiceSnapshot): string {
  const { def } = s;
  const L: string[] = [];
  const t = (line: string): void => void L.push(`\t${line}`);
  const blank = (): void => void L.push('');
  const block = (name: string, items: readonly string[]): void => {
    t(`${name} = {`);
    for (const i of items) t(`\t${i}`);
    t('}');
  };
  const running = s.pid !== undefined;

  L.push(`${domainKey(s.domain)}/${def.label} = {`);
  t(`active count = ${running ? 1 : 0}`);
  t(`path = ${s.path}`);
  t(`type = ${s.domain.kind === 'system' ? 'LaunchDaemon' : 'LaunchAgent'}`);
  t(`state = ${s.state}`);
  blank();
  t(`program = ${s.program}`);
  if (def.programArguments !== undefined) {
    block('arguments', def.programArguments);
    blank();
  }
  // Placement follows the 10.10 sample, the only one showing these lines.
  if (def.workingDirectory !== undefined) {
    t(`working directory = ${def.workingDirectory}`);
    blank();
  }
  if (def.stdoutPath !== undefined) t(`stdout path = ${def.stdoutPath}`);
  if (def.stderrPath !== undefined) t(`stderr path = ${def.stderrPath}`);
  block('default environment', [`PATH => ${DEFAULT_PATH}`]);
  blank();
  block('environment', [...def.environment.filter(([k]) => k !== 'XPC_SERVICE_NAME').map(([k, v]) => `${k} => ${v}`), `XPC_SERVICE_NAME => ${def.label}`]);
  blank();
  if (s.domain.kind === 'gui') {
    t(`domain = ${domainKey(s.domain)} [${GUI_ASID}]`);
    t(`asid = ${GUI_ASID}`);
  } else {
    t(`domain = ${domainKey(s.domain)}`);
  }
  // §1: UserName/GroupName are honoured only in the system domain.
  if (s.domain.kind === 'system' && def.userName !== undefined) t(`username = ${def.userName}`);
  if (s.domain.kind === 'system' && def.groupName !== undefined) t(`group = ${def.groupName}`);
  if (def.umask !== undefined) t(`umask = ${umaskText(def.umask)}`);
  if (def.nice !== undefined) t(`nice = ${def.nice}`);
  t(`minimum runtime = ${def.throttleInterval}`);
  t(`base minimum runtime = ${def.throttleInterval}`);
  t(`exit timeout = ${def.exitTimeOut}`);
  t(`runs = ${s.runs}`);
  if (running) {
    t(`pid = ${s.pid}`);
    t(`immediate reason = ${s.immediateReason ?? 'speculative'}`);
    for (const line of ['forks = 0', 'execs = 1', 'initialized = 1', 'trampolined = 1', 'started suspended = 0', 'proxy started suspended = 0']) t(line);
  }
  t(exitInfoLine(s.lastExit));
  blank();
  const sem = semaphores(def);
  if (sem.length > 0) {
    block('semaphores', sem);
    blank();
  }
  const limits = resourceLimitLines(def);
  if (limits.length > 0) {
    // Position unverified: no sample shows `resource limits`.
    block('resource limits', limits);
    blank();
  }
  t(`spawn type = ${SPAWN_TYPES[def.processType ?? 'Standard'] ?? 'daemon (3)'}`);
  t('jetsam priority = 40');
  t('jetsam memory limit (active) = (unlimited)');
  t('jetsam memory limit (inactive) = (unlimited)');
  t('jetsamproperties category = daemon');
  t('jetsam thread limit = 32');
  t('cpumon = default');
  if (s.jobState !== undefined) t(`job state = ${s.jobState}`);
  blank();
  t(`properties = ${properties(def)}`);
  L.push('}');
  return `${L.join('\n')}\n`;
}

function resourceLimitLines(def: JobDefinition): string[] {
  const out: string[] = [];
  for (const { key, printName } of RESOURCE_LIMITS) {
    const soft = def.softLimits[key];
    const hard = def.hardLimits[key];
    if (soft !== undefined) out.push(`${printName} (soft) => ${soft}`);
    if (hard !== undefined) out.push(`${printName} (hard) => ${hard}`);
  }
  return out;
}

/** Status column of the domain `services` table (§5): `-` never exited, code, -signal, `(pe)` pressured exit. */
function domainStatus(e: LastExit): string {
  switch (e.kind) {
    case 'never':
      return '-';
    case 'exit':
      return String(e.code);
    case 'signal':
      return `-${e.signal}`;
    case 'jetsam':
      return '(pe)';
  }
}

/** Decoded status column of legacy `list` (§7): never-run jobs show 0 as in the 10.11 capture; signals negative. */
function listStatus(e: LastExit): string {
  switch (e.kind) {
    case 'never':
      return '0';
    case 'exit':
      return String(e.code);
    case 'signal':
      return `-${e.signal}`;
    case 'jetsam':
      return '-9';
  }
}

/** Raw wait(2) status for `list <label>`'s LastExitStatus (§7): code << 8, or the signal number. */
export function rawWaitStatus(e: LastExit): number {
  switch (e.kind) {
    case 'never':
      return 0;
    case 'exit':
      return (e.code & 0xff) << 8;
    case 'signal':
      return e.signal & 0x7f;
    case 'jetsam':
      return 9;
  }
}

function disabledLines(overrides: ReadonlyArray<readonly [string, boolean]>, macos: number): string[] {
  // §6: true/false up to macOS 12, disabled/enabled from 13.
  const word = (disabled: boolean): string => (macos >= 13 ? (disabled ? 'disabled' : 'enabled') : disabled ? 'true' : 'false');
  return overrides.map(([label, disabled]) => `"${label}" => ${word(disabled)}`);
}

/** `launchctl print-disabled <domain>` (§6): the modern form starts with a blank line and indents one tab. */
export function renderPrintDisabled(overrides: ReadonlyArray<readonly [string, boolean]>, macos: number): string {
  const lines = disabledLines(overrides, macos);
  if (macos >= 13) return ['', '\tdisabled services = {', ...lines.map((l) => `\t\t${l}`), '\t}', ''].join('\n');
  return ['disabled services = {', ...lines.map((l) => `\t${l}`), '}', ''].join('\n');
}

/** `launchctl print <domain-target>`, in the section order of the domain sample (abridged to what we emulate). */
export function renderDomainPrint(
  domain: Domain,
  services: readonly ServiceSnapshot[],
  overrides: ReadonlyArray<readonly [string, boolean]>,
  macos: number,
): string {
  const active = services.filter((s) => s.pid !== undefined).length;
  // `type`/`handle` for gui and user domains are unverified (only the system domain is sampled).
  const type = domain.kind === 'gui' ? 'login' : domain.kind;
  const handle = domain.kind === 'system' ? 0 : domain.kind === 'gui' ? GUI_ASID : domain.uid;
  const L = [
    `${domainKey(domain)} = {`,
    `\ttype = ${type}`,
    `\thandle = ${handle}`,
    `\tactive count = ${active}`,
    `\tservice count = ${services.length}`,
    `\tactive service count = ${active}`,
    '\tsecurity context = {',
    domain.kind === 'system' ? '\t\tuid unset' : `\t\tuid = ${domain.uid}`,
    `\t\tasid = ${domain.kind === 'gui' ? GUI_ASID : 0}`,
    '\t}',
    '',
    '\tservices = {',
    // `<pid> <status> \t<label>`, space-padded: reproduces the sample's columns once its tabs became spaces.
    ...services.map((s) => `\t\t${String(s.pid ?? 0).padStart(8)} ${domainStatus(s.lastExit).padStart(6)} \t${s.def.label}`),
    '\t}',
    '',
    '\tdisabled services = {',
    ...disabledLines(overrides, macos).map((l) => `\t\t${l}`),
    '\t}',
    '',
    '\tproperties = ',
    '}',
  ];
  return `${L.join('\n')}\n`;
}

/** Legacy `launchctl list` (§7): `PID\tStatus\tLabel`. */
export function renderList(services: readonly ServiceSnapshot[]): string {
  const rows = services.map((s) => `${s.pid ?? '-'}\t${listStatus(s.lastExit)}\t${s.def.label}`);
  return `${['PID\tStatus\tLabel', ...rows].join('\n')}\n`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Legacy `launchctl list <label>` (§7): old-style plist dict with the raw wait status; `PID` only while running. */
export function renderListLabel(s: ServiceSnapshot): string {
  const { def } = s;
  const L = [
    '{',
    `\t"LimitLoadToSessionType" = ${quote(sessionType(s.domain))};`,
    `\t"Label" = ${quote(def.label)};`,
    // OnDemand is the inverse of KeepAlive=true (§1).
    `\t"OnDemand" = ${def.keepAlive.kind === 'always' ? 'false' : 'true'};`,
    `\t"LastExitStatus" = ${rawWaitStatus(s.lastExit)};`,
    ...(s.pid !== undefined ? [`\t"PID" = ${s.pid};`] : []),
    `\t"Program" = ${quote(def.executable)};`,
    ...(def.programArguments !== undefined ? ['\t"ProgramArguments" = (', ...def.programArguments.map((a) => `\t\t${quote(a)};`), '\t);'] : []),
    '};',
  ];
  return `${L.join('\n')}\n`;
}
