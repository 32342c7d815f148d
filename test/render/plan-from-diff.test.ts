// The views over plans made by the real planner (src/plan/diff.ts) from an example spec: secrets stay hidden end to end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPlist } from '../../src/launchd/plist-render.js';
import { jobKey, type ActualJob, type ActualState, type ManagedRecord } from '../../src/model/actual.js';
import type { DesiredJob, PlistDict } from '../../src/model/desired.js';
import type { Plan } from '../../src/model/plan.js';
import { diff } from '../../src/plan/diff.js';
import { sha256 } from '../../src/plan/digest.js';
import { noColors } from '../../src/render/colors.js';
import { driftJson, planJson } from '../../src/render/plan-json.js';
import { secretValues } from '../../src/render/plan-secrets.js';
import { renderDriftText, renderPlanText } from '../../src/render/plan-text.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';

const root = join(import.meta.dirname, '../..');
const host = testHost();
const NEW_SECRET = Object.values(host.secrets)[0]!;
const OLD_SECRET = 'eyJhbGciOiJIUzI1NiJ9.b2xkLXNlY3JldC10b2tlbg:/ip4/127.0.0.1/tcp/1234/http';
const GONE_SECRET = 'eyJhbGciOiJIUzI1NiJ9.Z29uZS13b3JrZXItdG9rZW4:/ip4/127.0.0.1/tcp/1234/http';
const NOW = '2025-01-15T10:00:00.000Z';

const desired = (() => {
  const v = validateSpecText(readFileSync(join(root, 'examples/daemon-and-miner.yaml'), 'utf8'));
  return toDesiredState(v.spec!, host).desired;
})();
const miner = desired.jobs.find((j) => j.name === 'miner')!;

const emptyActual = (): ActualState => ({ jobs: {}, manifest: { formatVersion: 2, jobs: {} }, directories: {} });
const record = (j: Pick<DesiredJob, 'name' | 'kind' | 'label' | 'domain' | 'plistPath'>, digest: string): ManagedRecord =>
  ({ name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath, digest, state: 'running', sensitiveKeys: [], appliedAt: NOW, owner: desired.owner });
const onDisk = (j: Pick<DesiredJob, 'label' | 'domain' | 'plistPath'>, dict: PlistDict): ActualJob => {
  const text = renderPlist(dict);
  return {
    label: j.label, domain: j.domain, plistPath: j.plistPath,
    file: { exists: true, digest: sha256(text), text, dict, format: 'xml', mode: 0o600, uid: 501 },
    job: { known: true, loaded: true, disabled: undefined, running: true, lastExit: { kind: 'never' } },
  };
};
const withEnv = (dict: PlistDict, env: Record<string, string>): PlistDict => ({ ...dict, EnvironmentVariables: { ...(dict.EnvironmentVariables as PlistDict), ...env } });

function outputs(p: Plan): string[] {
  return [renderPlanText(p, noColors), JSON.stringify(planJson(p)), JSON.stringify(driftJson(p)), renderDriftText(p.drift, noColors, secretValues(p))];
}

describe('views over real plans', () => {
  it('fresh install: the secret is in the steps, never in the output', () => {
    const p = diff(desired, emptyActual(), { now: NOW });
    expect(JSON.stringify(p.steps)).toContain(NEW_SECRET);
    for (const out of outputs(p)) expect(out).not.toContain(NEW_SECRET);
    expect(renderPlanText(p, noColors)).toContain('+ FULLNODE_API_INFO = (sensitive value) (added)');
  });

  it('a rotated secret: neither the old nor the new value appears', () => {
    const old = withEnv(miner.plist, { FULLNODE_API_INFO: OLD_SECRET });
    const actual = emptyActual();
    const a = onDisk(miner, old);
    const p = diff(desired, { ...actual, jobs: { [jobKey(miner)]: a }, manifest: { formatVersion: 2, jobs: { [miner.label]: record(miner, (a.file as { digest: string }).digest) } } }, { now: NOW, targets: ['miner'] });
    const text = renderPlanText(p, noColors);
    expect(text).toContain('~ FULLNODE_API_INFO = (sensitive value) (changed)');
    for (const out of outputs(p)) for (const s of [OLD_SECRET, NEW_SECRET]) expect(out).not.toContain(s);
  });

  it('a removed service whose plist held a secret: its 0600 plist keeps every value hidden', () => {
    const gone = { name: 'worker', kind: 'service' as const, label: 'com.lotusctl.worker', domain: miner.domain, plistPath: `${host.home}/Library/LaunchAgents/com.lotusctl.worker.plist` };
    const a = onDisk(gone, { Label: gone.label, ProgramArguments: ['/bin/w'], EnvironmentVariables: { WORKER_API_INFO: GONE_SECRET } });
    const p = diff(desired, { jobs: { [jobKey(gone)]: a }, manifest: { formatVersion: 2, jobs: { [gone.label]: record(gone, (a.file as { digest: string }).digest) } }, directories: {} }, { now: NOW, targets: [] });
    expect(JSON.stringify(p.changes)).toContain(GONE_SECRET);
    for (const out of outputs(p)) expect(out).not.toContain(GONE_SECRET);
    expect(renderPlanText(p, noColors)).toContain('- WORKER_API_INFO = (sensitive value) (removed)');
  });
});
