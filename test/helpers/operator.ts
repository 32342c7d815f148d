// Who the tests' Mac operator is. lotusctl is run by a normal user (or with sudo from one), never as a bare root
// login with GUI agents: on a Mac gui/0 does not exist. When the test process is root (CI), the operator is an
// unprivileged uid the sandbox runs the CLI as; otherwise it is the test process's own user.
// No vitest imports here: the fakes' harness code uses it too.
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export const IS_ROOT = process.getuid?.() === 0;

export interface Operator {
  readonly uid: number;
  readonly gid: number;
  /** The name `sudo` puts in SUDO_USER and the dscl double knows the account by. */
  readonly name: string;
}

function intEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/**
 * As root: uid 501 / gid 20, the first account of a Mac and its `staff` group (LOTUSCTL_TEST_UID / _GID override
 * them). As anyone else: that user. The launchctl double is told it is the console user.
 */
export const OPERATOR: Operator = IS_ROOT
  ? { uid: intEnv('LOTUSCTL_TEST_UID', 501), gid: intEnv('LOTUSCTL_TEST_GID', 20), name: 'alice' }
  : { uid: process.getuid?.() ?? 501, gid: process.getgid?.() ?? 20, name: safeUserName() };

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'alice';
  }
}

/** Whether `bits` (4 read, 1 search/execute) are granted to a uid that is neither the owner nor in the group. */
function otherMay(path: string, bits: number): boolean {
  try {
    return (statSync(path).mode & bits) === bits;
  } catch {
    return false;
  }
}

/** True when a stranger (not owner, not group) can search every folder above `path` and has `bits` on `path` itself. */
export function reachableByOthers(path: string, bits = 0o4): boolean {
  for (let d = dirname(path); ; d = dirname(d)) {
    if (!otherMay(d, 0o1)) return false;
    if (dirname(d) === d) break;
  }
  return otherMay(path, bits);
}

/**
 * Lets the operator uid reach the checkout: search permission on the folders above `repo` that lack it (o+x: enter,
 * not list), and o+rX on what it runs (dist/, node_modules/, test/fakes/). Only what is missing is changed, and each
 * change is returned so the run can say so. Nothing is done when tests do not run as root.
 */
export function grantOperatorAccess(repo: string): string[] {
  if (!IS_ROOT) return [];
  const changed: string[] = [];
  const grant = (p: string, bits: number): void => {
    try {
      const mode = statSync(p).mode & 0o7777;
      if ((mode & bits) !== bits) {
        chmodSync(p, mode | bits);
        changed.push(p);
      }
    } catch {
      // missing: the build or npm ci has not run; the tests say so themselves
    }
  };
  for (let d = repo; ; d = dirname(d)) {
    grant(d, 0o1);
    if (dirname(d) === d) break;
  }
  const sentinels = ['dist/cli/main.js', 'dist/test/fakes/launchctl/main.js', 'dist/test/fakes/lotus/main.js', 'node_modules/zod/package.json', 'test/fakes/bin/launchctl'];
  if (sentinels.every((s) => reachableByOthers(join(repo, s)))) return changed;
  for (const top of ['dist', 'node_modules', 'test/fakes', 'package.json']) walk(join(repo, top), grant);
  return changed;
}

function walk(p: string, grant: (p: string, bits: number) => void): void {
  let st;
  try {
    st = statSync(p);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    grant(p, 0o5);
    let names: string[] = [];
    try {
      names = readdirSync(p);
    } catch {
      return;
    }
    for (const n of names) walk(join(p, n), grant);
  } else {
    grant(p, st.mode & 0o100 ? 0o5 : 0o4);
  }
}
