// Before a saved plan runs: does it do only what lotusctl could have planned, and only what its changes show?
// A plan file is plain JSON (0600, written by lotusctl); its digest catches edits, but someone who can write it can
// recompute the digest. These checks are what stop a forged step from writing outside launchd's folders
// (`plistPath: ~/.profile`), running a plist the text view never showed, or creating arbitrary folders.
import { posix } from 'node:path';
import type { PlistDict } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';
import type { Change, JobStep, Plan, PlistView } from '../model/plan.js';
import { isValidLabel, plistDirFor, type DomainTarget } from '../launchd/domain.js';
import { parsePlistBytes } from '../launchd/plist-parse.js';
import { maskedPlist } from '../render/masked-plist.js';
import { deepEqual } from '../render/plan-diff.js';
import { BACKUPS_DIR, JOURNAL_DIR, LOCK_FILE, journalEntryPath, parseTempName } from '../model/state-files.js';
import { sha256 } from './digest.js';

/** What the machine says a plan may touch: the target user's home and uid, and where LaunchDaemons live. */
export interface PlanBounds {
  readonly home: string;
  readonly uid: number;
  readonly systemDaemonsDir: string;
}

const MODES = new Set([0o600, 0o644]);

const isPlistView = (v: Change['before']): v is PlistView => v !== null && typeof v === 'object' && 'keys' in v && 'mode' in v;

/** The plist path launchd's conventions give a label in a domain (specs/launchd-behaviour.md §1). */
export function expectedPlistPath(domain: DomainTarget, label: string, b: PlanBounds): string {
  return posix.join(plistDirFor(domain.kind, b.home, b.systemDaemonsDir), `${label}.plist`);
}

/**
 * Throws `plan.file-integrity` naming the first problem. Checks: labels, domains and plist paths (each the path its
 * label implies in its domain's folder, for this user), the bytes of every plist write (digest, a dict whose Label is
 * the step's, equal to what the change shows), folders (only log folders of the plists), readiness paths, that every
 * step is shown as a change and every change has a step, that the summary counts the changes, and that every
 * leftover apply would clean up is one of lotusctl's own files (checkLeftovers).
 */
export function verifyPlan(plan: Plan, file: string, b: PlanBounds): void {
  const fail = (what: string): never => {
    throw new LotusctlError('plan.file-integrity', `${file} cannot be applied: ${what}`, {
      hint: 'nothing was done; make the plan again with lotusctl plan --out FILE (a saved plan may only do what lotusctl plans)',
    });
  };
  if (!plan.stateDir.startsWith('/') || posix.normalize(plan.stateDir) !== plan.stateDir) fail(`state dir ${JSON.stringify(plan.stateDir)} is not a plain absolute path`);
  const place = (where: string, label: string, domain: DomainTarget, plistPath: string) => {
    if (!isValidLabel(label)) fail(`${where}: ${JSON.stringify(label)} is not a valid launchd label`);
    if (domain.kind === 'system' ? domain.uid !== undefined : domain.uid !== b.uid) fail(`${where}: domain ${JSON.stringify(domain)} is not this user's (uid ${b.uid}) or the system domain`);
    const want = expectedPlistPath(domain, label, b);
    if (plistPath !== want) fail(`${where}: plist path ${plistPath} is not ${want}, the path of label ${label} in its domain`);
  };
  const changesOf = (service: string) => plan.changes.filter((c) => c.service === service);
  const plistChange = (s: JobStep) => plan.changes.find((c) => c.address === `${s.service}.plist`);

  for (const s of plan.steps) {
    const where = `step ${s.service}`;
    place(where, s.label, s.domain, s.plistPath);
    if (s.from) place(`${where} (moving from)`, s.from.label, s.from.domain, s.from.plistPath);
    if (!changesOf(s.service).some((c) => c.action !== 'no-op')) fail(`${where} is not shown as a change`);
    if (plan.mode === 'destroy' && (s.target !== 'absent' || s.plist.action === 'write' || s.from)) fail(`${where} does more than remove in a destroy plan`);

    const shown = plistChange(s);
    let keys: PlistDict | undefined = isPlistView(shown?.after ?? null) ? ((shown?.after as PlistView).keys as PlistDict) : undefined;
    if (s.plist.action === 'write') {
      const w = s.plist;
      if (sha256(w.text) !== w.digest || w.digest !== s.digest) fail(`${where}: the plist bytes do not match their digest`);
      if (!MODES.has(w.mode)) fail(`${where}: mode 0${w.mode.toString(8)} is not one lotusctl writes`);
      const parsed = parsePlistBytes(Buffer.from(w.text, 'utf8'));
      if (parsed.format === 'invalid') fail(`${where}: the plist it would write is not a valid plist`);
      const dict = (parsed as { dict: PlistDict }).dict;
      if (dict.Label !== s.label) fail(`${where}: the plist's Label is not ${s.label}`);
      if (!shown || !['create', 'update', 'replace'].includes(shown.action) || !isPlistView(shown.after) || shown.after.path !== s.plistPath) {
        fail(`${where} writes ${s.plistPath}, but no change shows that plist being written`);
      }
      if (!deepEqual(maskedPlist(dict, s.sensitiveKeys), keys)) fail(`${where}: the plist it would write is not the one its change shows`);
      keys = dict;
    } else if (s.plist.action === 'remove') {
      if (!shown || shown.action !== 'delete' || !isPlistView(shown.before) || shown.before.path !== s.plistPath) fail(`${where} removes ${s.plistPath}, but no change shows that`);
    }
    if (s.from?.removePlist && !(shown && shown.action === 'replace' && isPlistView(shown.before) && shown.before.path === s.from.plistPath)) {
      fail(`${where} removes ${s.from.plistPath}, but no change shows that`);
    }
    if ((s.ops.length > 0 || (s.from?.ops.length ?? 0) > 0) && !changesOf(s.service).some((c) => c.resource === 'job' && c.action !== 'no-op')) {
      fail(`${where} changes the launchd job, but no change shows that`);
    }

    // Folders and readiness paths come from the plist's own paths, never from anywhere else.
    const logPaths = [keys?.StandardOutPath, keys?.StandardErrorPath].filter((p): p is string => typeof p === 'string');
    const allowedDirs = new Set(logPaths.map((p) => posix.dirname(p)));
    for (const d of s.directories) if (!allowedDirs.has(d)) fail(`${where} creates the folder ${d}, which is not a log folder of its plist`);
    const r = s.readiness;
    if (r?.stderrPath !== undefined && r.stderrPath !== keys?.StandardErrorPath) fail(`${where}: its readiness check reads ${r.stderrPath}, which is not the plist's StandardErrorPath`);
    const env = keys?.EnvironmentVariables as PlistDict | undefined;
    if (r?.repo !== undefined && r.repo !== env?.LOTUS_PATH) fail(`${where}: its readiness check uses the repo ${r.repo}, which is not the plist's LOTUS_PATH`);
  }
  for (const c of plan.changes) {
    if (c.action === 'no-op') continue;
    const s = plan.steps.find((x) => x.service === c.service);
    if (!s) fail(`change ${c.address} has no step to carry it out`);
    if (c.resource === 'plist' && ['create', 'update', 'replace'].includes(c.action) && s?.plist.action !== 'write') fail(`change ${c.address} is not carried out by its step`);
    if (c.resource === 'plist' && c.action === 'delete' && s?.plist.action !== 'remove') fail(`change ${c.address} is not carried out by its step`);
    if (c.resource === 'directory' && !s?.directories.includes((c.after as { path?: string } | null)?.path ?? '')) fail(`change ${c.address} is not carried out by its step`);
  }
  checkLeftovers(plan, b, fail);
  const count = { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 0 };
  const bucket = { create: 'add', update: 'change', replace: 'replace', delete: 'destroy', 'no-op': 'unchanged' } as const;
  for (const c of plan.changes) count[bucket[c.action]]++;
  if (!deepEqual(count, { ...plan.summary })) fail('its summary does not count its changes');
}

/**
 * Apply removes what a plan lists as leftovers of crashed runs: each must be lotusctl's own file where lotusctl
 * writes. The state lock of the plan's state dir; a journal entry `journal/<valid label>.json` there; a temporary
 * file named as atomic writes name them (`.<name>.<pid>.<hex>.tmp`) in the state dir, its journal or backups, a
 * launchd folder, or under the user's home (where the report folder lives; apply re-proves its writer gone first).
 */
function checkLeftovers(plan: Plan, b: PlanBounds, fail: (what: string) => never): void {
  const state = plan.stateDir;
  const folders = new Set([state, posix.join(state, JOURNAL_DIR), posix.join(state, BACKUPS_DIR), plistDirFor('gui', b.home, b.systemDaemonsDir), plistDirFor('system', b.home, b.systemDaemonsDir)]);
  for (const l of plan.leftovers ?? []) {
    const what = `leftover ${l.kind} ${JSON.stringify(l.path)}`;
    if (!l.path.startsWith('/') || posix.normalize(l.path) !== l.path) fail(`${what} is not a plain absolute path`);
    const dir = posix.dirname(l.path);
    const name = posix.basename(l.path);
    switch (l.kind) {
      case 'stale-lock':
      case 'unproven-lock':
        if (l.path !== posix.join(state, LOCK_FILE)) fail(`${what} is not the state lock of ${state}`);
        break;
      case 'journal-entry': {
        const label = name.replace(/\.json$/, '');
        if (!isValidLabel(label) || l.path !== journalEntryPath(state, label)) fail(`${what} is not a journal entry of ${state}`);
        break;
      }
      case 'temp-file': {
        const backups = posix.dirname(dir) === posix.join(state, BACKUPS_DIR) && isValidLabel(posix.basename(dir));
        if (parseTempName(name) === undefined) fail(`${what} is not named as lotusctl names its temporary files`);
        if (!folders.has(dir) && !backups && !dir.startsWith(`${b.home}/`)) fail(`${what} is not in a folder lotusctl writes`);
        break;
      }
      default: {
        const never: never = l.kind;
        fail(`unknown leftover kind ${String(never)}`);
      }
    }
  }
}
