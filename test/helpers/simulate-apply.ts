// The model of apply's effects on an ActualState, for property tests of the pure planner.
import { parsePlistBytes } from '../../src/launchd/plist-parse.js';
import { jobKey, type ActualJob, type ActualState, type ManagedRecord } from '../../src/model/actual.js';
import type { PlistDict } from '../../src/model/desired.js';
import type { Plan } from '../../src/model/plan.js';
import { sha256 } from '../../src/plan/digest.js';

const NOW = '2026-11-30T00:00:00.000Z';

/** What a successful apply leaves behind, computed from the plan's steps alone (the model of apply's effects). */
export function simulateApply(plan: Plan, before: ActualState): ActualState {
  const jobs: Record<string, ActualJob> = { ...before.jobs };
  const manifest: Record<string, ManagedRecord> = { ...before.manifest.jobs };
  const directories = { ...before.directories };
  const blank = (t: { label: string; domain: ActualJob['domain']; plistPath: string }): ActualJob =>
    ({ label: t.label, domain: t.domain, plistPath: t.plistPath, file: { exists: false }, job: { known: true, loaded: false, disabled: undefined, running: false, lastExit: { kind: 'never' } } });
  for (const step of plan.steps) {
    for (const d of step.directories) directories[d] = true;
    if (step.from) {
      const key = jobKey(step.from);
      const o = jobs[key] ?? blank(step.from);
      const oj = o.job.known ? o.job : { known: true as const, loaded: false, disabled: undefined, running: false, lastExit: { kind: 'never' as const } };
      jobs[key] = { ...o, file: step.from.removePlist ? { exists: false } : o.file, job: { ...oj, loaded: false, running: false, ...(step.from.ops.includes('enable') ? { disabled: false } : {}) } };
      if (step.from.removePlist) for (const [k, j] of Object.entries(jobs)) if (j.plistPath === step.from.plistPath) jobs[k] = { ...j, file: { exists: false } };
      delete manifest[step.from.label];
    }
    const key = jobKey(step);
    const prev = jobs[key] ?? blank(step);
    let file = prev.file;
    if (step.plist.action === 'write') file = { exists: true, digest: sha256(step.plist.text), format: 'xml', mode: step.plist.mode, uid: 501, dict: parsePlistBytes(Buffer.from(step.plist.text)).format !== 'invalid' ? (parsePlistBytes(Buffer.from(step.plist.text)) as { dict: PlistDict }).dict : {} };
    if (step.plist.action === 'remove') file = { exists: false };
    // Every job at the same plist path sees the same file (gui and user agents share ~/Library/LaunchAgents).
    for (const [k, j] of Object.entries(jobs)) if (j.plistPath === step.plistPath && k !== key) jobs[k] = { ...j, file };
    const running = step.target === 'running';
    const wasDisabled = prev.job.known ? prev.job.disabled : undefined;
    const disabled = step.ops.includes('disable') ? true : step.ops.includes('enable') ? false : wasDisabled;
    const loaded = running || (prev.job.known && prev.job.loaded && !step.ops.includes('bootout'));
    jobs[key] = { ...prev, file, job: { known: true, loaded, disabled, running: loaded, lastExit: { kind: 'never' } } };
    if (step.target === 'absent') delete manifest[step.label];
    else {
      manifest[step.label] = {
        name: step.service, kind: step.kind, label: step.label, domain: step.domain, plistPath: step.plistPath, digest: step.digest ?? '', state: step.target,
        sensitiveKeys: [...step.sensitiveKeys], appliedAt: NOW, owner: plan.owner, ...(step.watch ? { watch: step.watch } : {}),
      };
    }
  }
  return { jobs, manifest: { formatVersion: 2, jobs: manifest }, directories, specs: before.specs ?? {} };
}

