// Issue 8.9 as a property: for any plan the planner makes, the text summary, the JSON summary, the
// --detailed-exitcode and apply's own count are the same numbers; every change has a step and every step a change;
// a saved copy of the plan passes apply's verification; and after apply there is nothing left to do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobKey, type ActualJob, type ActualJobState, type ActualState, type ManagedRecord } from '../../src/model/actual.js';
import type { DesiredState } from '../../src/model/desired.js';
import { isLotusctlError } from '../../src/model/errors.js';
import { changeCount, type Plan } from '../../src/model/plan.js';
import { sha256 } from '../../src/plan/digest.js';
import { diff, isEmptyPlan } from '../../src/plan/diff.js';
import { decodePlanFile, encodePlanFile } from '../../src/plan/plan-file.js';
import { verifyPlan } from '../../src/plan/verify-plan.js';
import { noColors } from '../../src/render/colors.js';
import { planJson } from '../../src/render/plan-json.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';
import { simulateApply } from '../helpers/simulate-apply.js';

const NOW = '2026-11-30T00:00:00.000Z';
const host = testHost();
const bounds = { home: host.home, uid: host.uid, systemDaemonsDir: host.systemDaemonsDir };

const serviceArb = fc.record({
  state: fc.constantFrom('running', 'running', 'stopped', 'absent'),
  domain: fc.constantFrom('gui', 'user', 'system'),
  label: fc.constantFrom(undefined, 'org.example.node'),
  level: fc.constantFrom('info', 'debug'),
  logs: fc.boolean(),
  dependsOnFirst: fc.boolean(),
});
const specArb = fc.record({
  services: fc.uniqueArray(fc.tuple(fc.constantFrom('daemon', 'miner', 'worker'), serviceArb), { minLength: 1, maxLength: 3, selector: ([n]) => n }),
  monitor: fc.boolean(),
});

type SpecShape = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function yaml(s: SpecShape): string {
  const lines = ['version: 1', 'services:'];
  const first = s.services[0]![0];
  const labels = new Set<string>();
  for (const [n, sv] of s.services) {
    lines.push(`  ${n}:`, '    program: /usr/local/bin/lotus', `    state: ${sv.state}`, `    domain: ${sv.domain}`, `    env: { GOLOG_LOG_LEVEL: ${sv.level} }`);
    const label = sv.label ? `${sv.label}.${n}` : undefined;
    if (label && !labels.has(label)) {
      labels.add(label);
      lines.push(`    label: ${label}`);
    }
    if (sv.logs) lines.push('    logs: { dir: ~/Library/Logs/lotus }');
    if (sv.dependsOnFirst && n !== first) lines.push(`    depends_on: [${first}]`);
  }
  if (s.monitor) lines.push('monitor: { schedule: 1m }');
  return `${lines.join('\n')}\n`;
}

function desiredOf(s: SpecShape): DesiredState {
  const v = validateSpecText(yaml(s));
  if (!v.spec) throw new Error(JSON.stringify(v.diagnostics));
  return toDesiredState(v.spec, host).desired;
}

/** Something done to the machine behind lotusctl's back, for one job. */
const disturbanceArb = fc.constantFrom('none', 'none', 'bootout', 'disable', 'enable', 'kill', 'edit', 'reencode', 'rm-plist', 'unknown', 'forget');

function disturb(actual: ActualState, kinds: readonly string[]): ActualState {
  const jobs: Record<string, ActualJob> = { ...actual.jobs };
  const manifest: Record<string, ManagedRecord> = { ...actual.manifest.jobs };
  const directories = { ...actual.directories };
  Object.keys(jobs).sort().forEach((key, i) => {
    const j = jobs[key]!;
    const known = j.job.known ? j.job : undefined;
    const state = (over: Partial<Extract<ActualJobState, { known: true }>>): ActualJobState =>
      ({ known: true, loaded: known?.loaded ?? false, disabled: known?.disabled, running: known?.running ?? false, lastExit: { kind: 'never' }, ...over });
    switch (kinds[i % kinds.length]) {
      case 'bootout': jobs[key] = { ...j, job: state({ loaded: false, running: false }) }; break;
      case 'disable': jobs[key] = { ...j, job: state({ disabled: true }) }; break;
      case 'enable': jobs[key] = { ...j, job: state({ disabled: false }) }; break;
      case 'kill': jobs[key] = { ...j, job: state({ running: false, lastExit: { kind: 'signal', signal: 9 } }) }; break;
      case 'edit': if (j.file.exists) jobs[key] = { ...j, file: { ...j.file, digest: sha256(`edited ${key}`), dict: { ...(j.file.dict ?? {}), Nice: 5 } } }; break;
      case 'reencode': if (j.file.exists) jobs[key] = { ...j, file: { ...j.file, digest: sha256(`binary ${key}`), format: 'binary' } }; break;
      case 'rm-plist': jobs[key] = { ...j, file: { exists: false } }; break;
      case 'unknown': jobs[key] = { ...j, job: { known: false, reason: 'print not understood' } }; break;
      case 'forget': delete manifest[j.label]; break;
      default: break;
    }
  });
  if (kinds.includes('rm-plist')) for (const d of Object.keys(directories)) directories[d] = false;
  return { ...actual, jobs, manifest: { formatVersion: 2, jobs: manifest }, directories };
}

/** What the CLI shows and returns for a plan: the summary line (or none), the JSON summary, the exit code, apply's count. */
function views(p: Plan) {
  const text = renderPlanText(p, noColors);
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to replace, (\d+) to destroy\./.exec(text);
  const json = planJson(p);
  return {
    text: m ? { add: +m[1]!, change: +m[2]!, replace: +m[3]!, destroy: +m[4]! } : 'No changes',
    noChangesSaid: /No changes\./.test(text),
    json: json.summary,
    jsonChanges: json.changes.filter((c) => c.action !== 'no-op').length,
    exitCode: isEmptyPlan(p) ? 0 : 2,
    applyCount: changeCount(p.summary),
    steps: p.steps.length,
  };
}

describe('plan views agree (property)', () => {
  it('text summary == JSON summary == exit code == apply count, for plans over disturbed machines', () => {
    let refused = 0;
    let checked = 0;
    fc.assert(
      fc.property(specArb, specArb, fc.array(disturbanceArb, { minLength: 1, maxLength: 6 }), (first, second, kinds) => {
        let actual: ActualState = { jobs: {}, manifest: { formatVersion: 2, jobs: {} }, directories: {} };
        for (const [i, s] of [first, second].entries()) {
          const desired = desiredOf(s);
          let p: Plan;
          try {
            p = diff(desired, i === 0 ? actual : disturb(actual, kinds), { now: NOW });
          } catch (e) {
            // A refusal (a job lotusctl did not create) is an error, not a plan: nothing to compare.
            if (isLotusctlError(e) && e.code.startsWith('plan.unmanaged')) {
              refused++;
              return;
            }
            throw e;
          }
          checked++;
          const v = views(p);
          const { unchanged: _u, ...counts } = v.json;
          const n = counts.add + counts.change + counts.replace + counts.destroy;
          expect(v.jsonChanges).toBe(n);
          expect(v.applyCount).toBe(n);
          expect(v.exitCode).toBe(n > 0 ? 2 : 0);
          if (n === 0) {
            expect(v.text).toBe('No changes');
            expect(v.noChangesSaid).toBe(true);
            expect(v.steps).toBe(0);
          } else {
            expect(v.text).toEqual(counts);
            expect(v.noChangesSaid).toBe(false);
            expect(v.steps).toBeGreaterThan(0);
          }
          // A saved copy is what apply would run: it passes verification unchanged.
          const saved = decodePlanFile(encodePlanFile(p), 'tfplan');
          expect(() => verifyPlan(saved, 'tfplan', bounds)).not.toThrow();
          actual = simulateApply(p, i === 0 ? actual : disturb(actual, kinds));
          const again = diff(desired, actual, { now: NOW });
          expect(again.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}:${c.reason}`)).toEqual([]);
          expect(isEmptyPlan(again)).toBe(true);
        }
      }),
      { numRuns: 200, seed: 88 },
    );
    expect(checked).toBeGreaterThan(refused);
  });
});

describe('jobKey', () => {
  it('tells the same label in two domains apart', () => {
    expect(jobKey({ domain: { kind: 'gui', uid: 501 }, label: 'x' })).not.toBe(jobKey({ domain: { kind: 'user', uid: 501 }, label: 'x' }));
  });
});
