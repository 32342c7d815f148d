import { doctorExitCode, runChecks, type CheckResult } from '../../doctor/checks.js';
import { domainTarget } from '../../launchd/domain.js';
import { gatherDoctorFacts } from '../../observe/doctor-facts.js';
import { doctorJson, renderDoctorText, type FixReport, type GroupInfo } from '../../render/doctor-text.js';
import { applyFix } from '../../system/doctor-fixes.js';
import type { Output } from '../output.js';
import { launchctl, loadValidSpec, type ValidSpec } from './ops-common.js';

export interface DoctorFlags { file: string; json?: boolean; fix?: boolean }

const TIMEOUT_MS = 3000;

async function check(loaded: ValidSpec): Promise<CheckResult[]> {
  const facts = await gatherDoctorFacts(loaded.spec, loaded.desired, loaded.host, loaded.file, launchctl(), { now: () => Date.now(), timeoutMs: TIMEOUT_MS, env: process.env });
  return runChecks(facts);
}

/** `lotusctl doctor [--fix]`: exit 0 all ok, 2 warnings only, 1 a failure (after --fix: of the second round). */
export async function runDoctor(flags: DoctorFlags, o: Output): Promise<number> {
  const json = Boolean(flags.json);
  const loaded = loadValidSpec(flags.file, o, json);
  let results = await check(loaded);
  let fixes: FixReport[] | undefined;
  if (flags.fix) {
    fixes = [];
    // One repair per target: two checks may ask for the same folder.
    const done = new Set<string>();
    for (const r of results) {
      if (!r.autofix || r.level === 'ok' || r.level === 'skip') continue;
      const key = JSON.stringify(r.autofix);
      if (done.has(key)) continue;
      done.add(key);
      const outcome = await applyFix(r.autofix);
      fixes.push({ group: r.group, id: r.id, action: r.autofix.kind, ok: outcome.ok, message: outcome.ok ? outcome.did : outcome.error });
    }
    // Judge again what the repairs left: the report shows the machine as it is now.
    if (fixes.length > 0) results = await check(loaded);
  }
  const info: GroupInfo[] = loaded.desired.jobs.map((j) => ({ group: j.name, label: j.label, domain: domainTarget(j.domain) }));
  if (json) o.out(JSON.stringify(doctorJson(results, info, fixes, new Date().toISOString()), null, 2));
  else o.out(renderDoctorText(results, info, fixes, o.colors).trimEnd());
  return doctorExitCode(results);
}
