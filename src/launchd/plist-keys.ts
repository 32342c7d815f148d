// launchd.plist(5) keys and their types, from specs/launchd-behaviour.md §1. Used to check `plist_extra`.

export type PlistKeyType = 'string' | 'bool' | 'int' | 'dict' | 'array' | 'bool|dict' | 'string|array' | 'int|string' | 'dict|array';

export interface PlistKeyInfo {
  readonly type: PlistKeyType;
  /** The lotus.yaml field that sets this key; plist_extra may not set it too. */
  readonly field?: string;
  /** Set when launchd no longer honours the key: plist_extra accepts it with a warning. */
  readonly obsolete?: string;
}

export const PLIST_KEYS: Readonly<Record<string, PlistKeyInfo>> = {
  Label: { type: 'string', field: 'label' },
  Disabled: { type: 'bool', field: 'state' },
  Program: { type: 'string', field: 'program' },
  ProgramArguments: { type: 'array', field: 'args' },
  BundleProgram: { type: 'string' },
  EnvironmentVariables: { type: 'dict', field: 'env' },
  WorkingDirectory: { type: 'string', field: 'working_directory' },
  StandardInPath: { type: 'string' },
  StandardOutPath: { type: 'string', field: 'logs.stdout' },
  StandardErrorPath: { type: 'string', field: 'logs.stderr' },
  RunAtLoad: { type: 'bool', field: 'run_at_load' },
  KeepAlive: { type: 'bool|dict', field: 'keep_alive' },
  OnDemand: { type: 'bool', obsolete: 'deprecated since 10.4; use keep_alive' },
  ServiceIPC: { type: 'bool', obsolete: 'launchd logs "The ServiceIPC key is no longer respected"' },
  ThrottleInterval: { type: 'int', field: 'throttle_interval' },
  ExitTimeOut: { type: 'int', field: 'exit_timeout' },
  TimeOut: { type: 'int', obsolete: 'no longer implemented (launchd.plist(5))' },
  StartInterval: { type: 'int' },
  StartCalendarInterval: { type: 'dict|array' },
  WatchPaths: { type: 'array' },
  QueueDirectories: { type: 'array' },
  StartOnMount: { type: 'bool' },
  UserName: { type: 'string', field: 'user' },
  GroupName: { type: 'string', field: 'group' },
  InitGroups: { type: 'bool' },
  Umask: { type: 'int|string', field: 'umask' },
  Nice: { type: 'int', field: 'nice' },
  ProcessType: { type: 'string', field: 'process_type' },
  LowPriorityIO: { type: 'bool', field: 'low_priority_io' },
  LowPriorityBackgroundIO: { type: 'bool', field: 'low_priority_background_io' },
  SoftResourceLimits: { type: 'dict', field: 'limits' },
  HardResourceLimits: { type: 'dict', field: 'limits' },
  AbandonProcessGroup: { type: 'bool', field: 'abandon_process_group' },
  LimitLoadToSessionType: { type: 'string|array', field: 'session_type' },
  LimitLoadToHosts: { type: 'array', obsolete: 'no longer supported (launchd.plist(5))' },
  LimitLoadFromHosts: { type: 'array', obsolete: 'no longer supported (launchd.plist(5))' },
  LimitLoadToHardware: { type: 'dict' },
  LimitLoadFromHardware: { type: 'dict' },
  LaunchOnlyOnce: { type: 'bool' },
  EnableTransactions: { type: 'bool' },
  EnablePressuredExit: { type: 'bool' },
  MachServices: { type: 'dict' },
  Sockets: { type: 'dict' },
  LaunchEvents: { type: 'dict' },
  RootDirectory: { type: 'string' },
  SessionCreate: { type: 'bool' },
  LegacyTimers: { type: 'bool' },
  EnableGlobbing: { type: 'bool' },
  Debug: { type: 'bool' },
  WaitForDebugger: { type: 'bool' },
  inetdCompatibility: { type: 'dict' },
  HopefullyExitsFirst: { type: 'bool', obsolete: 'no longer implemented (launchd.plist(5))' },
  HopefullyExitsLast: { type: 'bool', obsolete: 'no longer implemented (launchd.plist(5))' },
};

function typeOf(v: unknown): 'string' | 'bool' | 'int' | 'real' | 'dict' | 'array' | 'other' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'real';
  if (Array.isArray(v)) return 'array';
  if (v !== null && typeof v === 'object') return 'dict';
  return 'other';
}

/** True when `value` has one of the plist types the key allows. */
export function plistValueMatches(type: PlistKeyType, value: unknown): boolean {
  return type.split('|').includes(typeOf(value));
}

/** True when a value can be written to a plist at all (no null, no NaN, nested values too). */
export function isPlistValue(v: unknown): boolean {
  const t = typeOf(v);
  if (t === 'other') return v instanceof Date;
  if (t === 'real') return Number.isFinite(v as number);
  if (t === 'array') return (v as unknown[]).every(isPlistValue);
  if (t === 'dict') return Object.values(v as Record<string, unknown>).every(isPlistValue);
  return true;
}
