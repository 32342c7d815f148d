// The emulated Mac around launchd: who is logged in (which gui/ and user/ domains exist), whom jobs run as, which
// plist owners launchd accepts, and the kern.maxfilesperproc ceiling (specs/launchd-behaviour.md §1, §2, §8).
import type { Domain } from './targets.js';

/** One user session: a uid and its primary gid (jobs in that user's domains run with both). */
export interface Account {
  readonly uid: number;
  readonly gid: number;
}

/** Machine configuration, read once from the supervisor's environment when it starts (a boot). */
export interface MachineConfig {
  /** FAKE_LAUNCHD_CONSOLE_UID/_GID (default 501/20, the first account on a Mac and its group `staff`). */
  readonly console: Account;
  /** FAKE_LAUNCHD_NO_GUI=1 at start: the user is in over SSH only (user/<uid> exists, gui/<uid> does not). */
  readonly noGui: boolean;
  /** FAKE_LAUNCHD_MAXFILESPERPROC: kern.maxfilesperproc; NumberOfFiles above it is clamped. Unset: no ceiling. */
  readonly maxFilesPerProc?: number;
}

function intOr(v: string | undefined, fallback: number | undefined): number | undefined {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

export function machineConfigFromEnv(env: NodeJS.ProcessEnv): MachineConfig {
  const maxFiles = intOr(env['FAKE_LAUNCHD_MAXFILESPERPROC'], undefined);
  return {
    console: { uid: intOr(env['FAKE_LAUNCHD_CONSOLE_UID'], 501) ?? 501, gid: intOr(env['FAKE_LAUNCHD_CONSOLE_GID'], 20) ?? 20 },
    noGui: ['1', 'true', 'yes'].includes((env['FAKE_LAUNCHD_NO_GUI'] ?? '').toLowerCase()),
    ...(maxFiles !== undefined && maxFiles > 0 ? { maxFilesPerProc: maxFiles } : {}),
  };
}

/** Environment keys the supervisor takes from whoever starts it (the rest of the caller's env never reaches it). */
export const MACHINE_ENV_KEYS = ['FAKE_LAUNCHD_CONSOLE_UID', 'FAKE_LAUNCHD_CONSOLE_GID', 'FAKE_LAUNCHD_NO_GUI', 'FAKE_LAUNCHD_MAXFILESPERPROC', 'FAKE_LAUNCHD_PASSWD'] as const;

/**
 * Sessions: the console (Aqua) user, whose gui/<uid> exists, and the uids whose user/<uid> domain exists.
 *
 * Sources and decisions:
 * - gui/<uid> exists only while <uid> is logged in at the console (man launchctl, specs/launchd-behaviour.md §2);
 *   one console user at a time, so gui/0 never exists on a Mac where nobody logs in as root.
 * - user/<uid>: man launchctl says a user domain "may exist independently of a logged-in user"; it does not say launchd
 *   makes one for any uid on request. Where unsure the double refuses, as the guide asks: user/<uid> exists once
 *   <uid> has logged in (console or SSH) since the last boot, and stays after a GUI logout (unverified).
 */
export class Sessions {
  console: Account | undefined;
  private readonly users = new Map<number, Account>();

  constructor(cfg: MachineConfig) {
    this.reset();
    // The state the double starts in: the console user logged in, or (no GUI) in over SSH.
    this.login(cfg.console, cfg.noGui ? 'ssh' : 'aqua');
  }

  /** A reboot: nobody is logged in. */
  reset(): void {
    this.console = undefined;
    this.users.clear();
  }

  /** Returns the domains this login created (their agents must be loaded now). */
  login(who: Account, kind: 'aqua' | 'ssh'): Domain[] {
    const created: Domain[] = [];
    if (!this.users.has(who.uid)) {
      this.users.set(who.uid, who);
      created.push({ kind: 'user', uid: who.uid });
    }
    if (kind === 'aqua' && this.console?.uid !== who.uid) {
      this.console = who;
      created.push({ kind: 'gui', uid: who.uid });
    }
    return created;
  }

  /** A GUI logout: the gui domain goes (its jobs must be stopped); the user domain stays (unverified). */
  logout(uid: number): boolean {
    if (this.console?.uid !== uid) return false;
    this.console = undefined;
    return true;
  }

  exists(d: Domain): boolean {
    if (d.kind === 'system') return true;
    return d.kind === 'gui' ? this.console?.uid === d.uid : this.users.has(d.uid);
  }

  /** The account whose domain this is; undefined for system. */
  accountOf(d: Domain): Account | undefined {
    if (d.kind === 'system') return undefined;
    if (d.kind === 'gui' && this.console?.uid === d.uid) return this.console;
    return this.users.get(d.uid) ?? { uid: d.uid, gid: d.uid };
  }
}

/** The uid of the supervisor process: root emulates a Mac faithfully; anyone else can only pretend to be root. */
export const SUPERVISOR_UID = process.getuid?.() ?? 0;
export const SUPERVISOR_IS_ROOT = SUPERVISOR_UID === 0;

/**
 * Owners launchd accepts for a plist loaded into `d` (specs/launchd-behaviour.md §1, man launchctl `load`): root for the
 * system domain; root or the domain's user for agents. A supervisor that is not root cannot tell files it made from
 * root's, so its own uid stands in for root there.
 */
export function allowedOwners(d: Domain): number[] {
  const root = SUPERVISOR_IS_ROOT ? [0] : [0, SUPERVISOR_UID];
  return d.kind === 'system' ? root : [...root, d.uid];
}
