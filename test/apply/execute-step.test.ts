import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeStep, StepFailed } from '../../src/apply/execute-step.js';
import { realClock } from '../../src/apply/readiness.js';
import type { JobStep } from '../../src/model/plan.js';
import { sha256 } from '../../src/plan/digest.js';
import { Launchctl } from '../../src/system/launchctl.js';
import { readFixture } from '../helpers/fixtures.js';

const scripted = join(import.meta.dirname, '../system/fixtures/scripted-launchctl.mjs');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-step-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function launchctl(script: Record<string, unknown[]>): { lc: Launchctl; calls: () => string[][] } {
  const scriptPath = join(dir, 'script.json');
  const log = join(dir, 'calls.log');
  writeFileSync(scriptPath, JSON.stringify(script));
  writeFileSync(log, '');
  const lc = new Launchctl({
    binary: scripted,
    env: { SCRIPTED_LAUNCHCTL_SCRIPT: scriptPath, SCRIPTED_LAUNCHCTL_LOG: log },
    sleep: async () => undefined,
    retry: { bootstrapAttempts: 1, pollIntervalMs: 1, waitGoneMs: 5000 },
  });
  return { lc, calls: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

const notFound = { exitCode: 113, stderr: 'Could not find service "org.example.lotusd" in domain for system\n' };

describe('executeStep rollback', () => {
  it('a failed bootstrap restores the previous plist and loads it again', async () => {
    const plistPath = join(dir, 'org.example.lotusd.plist');
    const v1 = '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>org.example.lotusd</string></dict></plist>\n';
    const v2 = v1.replace('</dict>', '<key>Nice</key><integer>-5</integer></dict>');
    writeFileSync(plistPath, v1, { mode: 0o644 });
    const { lc, calls } = launchctl({
      print: [{ exitCode: 0, stdout: readFixture('print-service-system-running-akd-macos13or14.txt') }, notFound],
      bootout: [{ exitCode: 0 }, { exitCode: 3, stderr: 'Boot-out failed: 3: No such process\n' }],
      bootstrap: [{ exitCode: 5, stderr: 'Bootstrap failed: 5: Input/output error\n' }, { exitCode: 0 }],
      'print-disabled': [{ exitCode: 0, stdout: 'disabled services = {\n}\n' }],
    });
    const step: JobStep = {
      service: 'daemon', name: 'daemon', kind: 'service', label: 'org.example.lotusd', domain: { kind: 'system' }, plistPath,
      digest: sha256(v2), plist: { action: 'write', text: v2, mode: 0o644, digest: sha256(v2) }, ops: ['bootout', 'bootstrap'],
      directories: [], target: 'running', dependsOn: [], sensitiveKeys: [],
    };
    const err = await executeStep(step, { lc, clock: realClock, stateDir: join(dir, 'state'), progress: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailed);
    const failed = err as StepFailed;
    expect(failed.code).toBe('launchctl.io-error');
    expect(failed.done).toEqual(['booted out org.example.lotusd', `wrote ${plistPath}`]);
    expect(failed.undone).toEqual([`restored the previous ${plistPath}`, 'bootstrapped the previous org.example.lotusd again']);
    expect(failed.details.join('\n')).toMatch(/rolled back:/);
    // End state: the previous plist is back, and the last thing asked of launchd was to load it.
    expect(readFileSync(plistPath, 'utf8')).toBe(v1);
    expect(calls().at(-1)).toEqual(['bootstrap', 'system', plistPath]);
  });
});
