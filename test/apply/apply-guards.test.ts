import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import type { Plan } from '../../src/model/plan.js';
import { Launchctl } from '../../src/system/launchctl.js';

const plan = (kind: 'system' | 'gui'): Plan => ({
  formatVersion: 2, mode: 'apply', changes: [], drift: [], summary: { add: 1, change: 0, replace: 0, destroy: 0, unchanged: 0 }, owner: { spec: '/x/lotus.yaml' },
  fingerprint: 'x', observed: { targets: [], directories: [] }, stateDir: '/nonexistent/lotusctl-state', createdAt: '2026-11-30T00:00:00Z',
  steps: [{
    service: 'daemon', name: 'daemon', kind: 'service', label: 'org.example.lotusd', domain: kind === 'system' ? { kind } : { kind, uid: 501 },
    plistPath: '/Library/LaunchDaemons/org.example.lotusd.plist', plist: { action: 'keep' }, ops: ['bootstrap'], directories: [],
    target: 'running', dependsOn: [], sensitiveKeys: [],
  }],
});

describe('apply guards', () => {
  it('refuses LaunchDaemons without root, before touching anything', async () => {
    const lc = new Launchctl({ binary: '/nonexistent/launchctl' });
    await expect(applyPlan(plan('system'), { launchctl: lc, euid: 501 })).rejects.toMatchObject({
      code: 'apply.needs-root', message: 'daemon is a LaunchDaemon (domain: system), which only root can load',
    });
  });
});
