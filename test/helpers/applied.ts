// For monitor tests that load jobs into the launchctl double by hand: record them in state.json as apply would, since
// the monitor watches what was applied (src/monitor/applied.ts), not the working copy of the spec.
import { mkdirSync } from 'node:fs';
import type { ManagedRecord } from '../../src/model/actual.js';
import { sha256 } from '../../src/plan/digest.js';
import { loadSpec } from '../../src/system/load-spec.js';
import { writeManifest } from '../../src/system/manifest.js';

export function recordAsApplied(specFile: string, env: NodeJS.ProcessEnv = process.env): void {
  const l = loadSpec(specFile, { env });
  const d = l.desired;
  if (!d) throw new Error(`${specFile} is not valid`);
  const jobs: Record<string, ManagedRecord> = {};
  for (const j of d.jobs) {
    if (j.state === 'absent') continue;
    jobs[j.label] = {
      name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath, digest: sha256(j.plistText), state: j.state,
      sensitiveKeys: j.sensitiveKeys, appliedAt: new Date().toISOString(), owner: d.owner, watch: j.watch,
    };
  }
  mkdirSync(d.stateDir, { recursive: true });
  writeManifest(d.stateDir, { formatVersion: 2, jobs });
}
