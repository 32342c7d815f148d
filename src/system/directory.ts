// The account lotusctl acts for under sudo: SUDO_USER, whose home and group come from Directory Services (this module
// owns `dscl`): os.userInfo() and HOME describe root (sudo may or may not keep HOME), so neither will do.
import { LotusctlError } from '../model/errors.js';
import { macosTool } from './platform.js';
import { runSync } from './run-sync.js';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/**
 * `dscl . -read /Users/<name> NFSHomeDirectory PrimaryGroupID UniqueID` prints `Key: value` lines, or `Key:` and the
 * value indented on the next line when it is long or has spaces (seen in scripts that parse it, e.g. `awk '{print $2}'`
 * users who trip on the second form). Returns undefined unless all three keys are there.
 */
export function parseDsclRecord(text: string): { uid: number; gid: number; home: string } | undefined {
  const fields: Record<string, string> = {};
  let pending: string | undefined;
  for (const line of text.split('\n')) {
    if (pending !== undefined && /^\s+\S/.test(line)) {
      fields[pending] = line.trim();
      pending = undefined;
      continue;
    }
    const m = /^([A-Za-z][\w:.-]*?):(?:\s+(.*))?$/.exec(line.trimEnd());
    if (!m) continue;
    const key = m[1] as string;
    if (m[2] === undefined || m[2] === '') pending = key;
    else fields[key] = m[2];
  }
  const uid = Number(fields['UniqueID']);
  const gid = Number(fields['PrimaryGroupID']);
  const home = fields['NFSHomeDirectory'];
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid) || home === undefined || !home.startsWith('/')) return undefined;
  return { uid, gid, home };
}

/** The passwd entry of `name` from Directory Services (dscl). Throws `host.user-unknown` when it cannot be read. */
export function lookupAccount(name: string, env: Readonly<Record<string, string | undefined>>): Account {
  const dscl = macosTool('dscl', env);
  const fail = (why: string): LotusctlError =>
    new LotusctlError('host.user-unknown', `cannot look up the account "${name}" (SUDO_USER): ${why}`, {
      hint: 'run lotusctl with sudo from the account that owns the Lotus node, or without sudo as that user',
    });
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(name)) throw fail('not an account name');
  if (dscl === undefined) throw fail('dscl (Directory Services) exists only on macOS');
  const r = runSync(dscl, ['.', '-read', `/Users/${name}`, 'NFSHomeDirectory', 'PrimaryGroupID', 'UniqueID'], 10_000, env);
  const rec = r.exitCode === 0 ? parseDsclRecord(r.stdout) : undefined;
  if (rec === undefined) throw fail(`${dscl} said: ${String(r.stderr || r.stdout || r.errorCode || 'nothing').trim().split('\n')[0]}`);
  return { name, ...rec };
}
