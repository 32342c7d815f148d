import { describe, expect, it } from 'vitest';
import type { Change, Drift } from '../../src/model/plan.js';
import { noColors } from '../../src/render/colors.js';
import { DRIFT_HEADING, NO_DRIFT, renderDriftText } from '../../src/render/drift-text.js';
import { NO_CHANGES, NO_CHANGES_DESTROY, NO_CHANGES_WITH_DRIFT, PLAN_HEADING, renderPlanText } from '../../src/render/plan-text.js';
import { CASES, daemonKeys, plan, plistView } from './plan-cases.js';

const text = (...args: Parameters<typeof plan>) => renderPlanText(plan(...args), noColors);
const plistUpdate = (before: Record<string, unknown>, after: Record<string, unknown>, extra: Partial<Change> = {}): Change => ({
  address: 'daemon.plist', service: 'daemon', resource: 'plist', action: 'update', reason: 'lotus.yaml changed',
  before: plistView('l', before as never), after: plistView('l', after as never), ...extra,
});

describe('renderPlanText', () => {
  it('says exactly one summary line, taken from plan.summary', () => {
    const out = text({ changes: [plistUpdate({ Nice: 1 }, { Nice: 2 })], summary: { add: 7, change: 8, replace: 6, destroy: 9 } });
    expect(out.split('\n').filter((l) => l.startsWith('Plan:'))).toEqual(['Plan: 7 to add, 8 to change, 6 to replace, 9 to destroy.']);
    expect(out).toContain(`\n${PLAN_HEADING}\n`);
  });

  it.each([
    ['apply, no drift', 'apply', [], NO_CHANGES],
    ['destroy, nothing left', 'destroy', [], NO_CHANGES_DESTROY],
    ['drift but nothing to do', 'apply', [{ service: 'd', label: 'l', kind: 'job-unknown', message: 'm' }], NO_CHANGES_WITH_DRIFT],
  ] as const)('no changes: %s', (_n, mode, drift, want) => {
    const out = text({ mode, drift: [...drift], changes: [{ ...plistUpdate({}, {}), action: 'no-op' }], summary: { unchanged: 1 } });
    expect(out.trimEnd().split('\n').at(-1)).toBe(want);
    expect(out).not.toContain('Plan:');
    expect(out).not.toContain('daemon.plist');
  });

  it('hides no-op resources and lists only the symbols used', () => {
    const out = text({
      changes: [{ ...plistUpdate({}, {}), action: 'no-op' }, { address: 'd.job', service: 'd', resource: 'job', action: 'delete', reason: '', before: { loaded: true, enabled: true, running: false }, after: null }],
      summary: { destroy: 1, unchanged: 1 },
    });
    expect(out).not.toContain('daemon.plist');
    expect(out).toContain('  # d.job will be booted out\n  - job "d" {\n      - loaded  = true\n      - enabled = true\n      - running = false\n    }\n');
    expect(out).toContain('Resource actions are indicated with the following symbols:\n  - destroy\n\n');
  });

  it('puts drift before the changes', () => {
    const out = renderPlanText(CASES.drift!, noColors);
    expect(out.indexOf(DRIFT_HEADING)).toBe(0);
    expect(out.indexOf(DRIFT_HEADING)).toBeLessThan(out.indexOf(PLAN_HEADING));
  });

  it('shows a directory on one line', () => {
    const out = text({ changes: [{ address: 'd.directory[/x y]', service: 'd', resource: 'directory', action: 'delete', reason: '', before: { path: '/x y' }, after: null }], summary: { destroy: 1 } });
    expect(out).toContain('  # d.directory[/x y] will be destroyed\n  - directory /x y\n');
  });

  it('lists unchanged secrets beside changed variables, with their marker', () => {
    const before = { EnvironmentVariables: { A: '1', S: '(sensitive)', T: '(sensitive)' } };
    const after = { EnvironmentVariables: { A: '2', S: '(sensitive)', U: '(sensitive)' } };
    const out = text({ changes: [plistUpdate(before, after, { sensitive: { S: 'unchanged', T: 'removed', U: 'added' } })], summary: { change: 1 } });
    expect(out).toContain([
      '      ~ EnvironmentVariables = {',
      '          ~ A = "1" -> "2"',
      '            S = (sensitive value) (unchanged)',
      '          - T = (sensitive value) (removed)',
      '          + U = (sensitive value) (added)',
      '        }',
    ].join('\n'));
  });

  it('counts hidden fields per block, singular and plural', () => {
    const out = text({ changes: [plistUpdate({ A: 1, B: 1, D: { x: 1, y: 1 } }, { A: 1, B: 2, D: { x: 1, y: 2 } })], summary: { change: 1 } });
    expect(out).toContain('            # (1 unchanged field hidden)\n        }\n');
    expect(out).toContain('        # (2 unchanged fields hidden)\n');
  });

  it('writes a long added array one element per line and quotes odd key names', () => {
    const args = Array.from({ length: 8 }, (_, i) => `--flag-number-${i}`);
    const out = text({
      changes: [{ address: 'd.plist', service: 'd', resource: 'plist', action: 'create', reason: '', before: null, after: plistView('l', { ProgramArguments: args, KeepAlive: { PathState: { '/Volumes/Chain': true } } }) }],
      summary: { add: 1 },
    });
    expect(out).toContain('      + ProgramArguments = [\n          + "--flag-number-0",\n');
    expect(out).toContain('              + "/Volumes/Chain" = true\n');
  });

  it('escapes control characters coming from the model', () => {
    const out = text({
      drift: [{ service: 'd', label: 'l', kind: 'plist-edited', message: 'evil\u001b[2J\nPlan: 0 to add' }],
      changes: [plistUpdate({ Label: 'a' }, { Label: 'b\u009b' }, { reason: 'r\u001b[31m', address: 'a\nb' })],
      summary: { change: 1 },
    });
    expect(out).not.toMatch(/[\u001b\u009b]/);
    expect(out).toContain('evil\\u001b[2J\\u000aPlan: 0 to add');
    expect(out.split('\n').filter((l) => l.startsWith('Plan:'))).toHaveLength(1);
  });

  it('shows a unified diff of the plist body only when the text differs', () => {
    const same = text({ changes: [{ ...plistUpdate(daemonKeys(), daemonKeys()), after: { ...plistView('l', daemonKeys()), mode: '0600' } }], summary: { change: 1 } });
    expect(same).toContain('      ~ mode = "0644" -> "0600"');
    expect(same).not.toContain('@@');
    const differs = renderPlanText(CASES['update-replace']!, noColors);
    expect(differs).toContain('        -    <integer>30</integer>\n        +    <integer>120</integer>\n');
  });
});

describe('renderDriftText', () => {
  it('says there is no drift', () => {
    expect(renderDriftText([], noColors)).toBe(`${NO_DRIFT}\n`);
  });

  it.each([
    ['plist-edited', '~'], ['plist-missing', '-'], ['plist-mode', '~'], ['job-unloaded', '-'],
    ['job-disabled', '~'], ['job-not-running', '~'], ['job-unknown', '?'], ['job-loaded', '+'],
  ] as const)('%s is shown with %s', (kind, sym) => {
    const d: Drift = { service: 'daemon', label: 'com.x', kind, message: 'what happened' };
    expect(renderDriftText([d], noColors)).toBe(`${DRIFT_HEADING}\n  ${sym} daemon (com.x): what happened\n`);
  });
});
