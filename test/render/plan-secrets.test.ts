import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../../src/model/plan.js';
import { ansiColors, noColors } from '../../src/render/colors.js';
import { driftJson, planJson } from '../../src/render/plan-json.js';
import { envSensitivity, maskPlistText, scrubJson, scrubText, secretValues } from '../../src/render/plan-secrets.js';
import { renderDriftText, renderPlanText } from '../../src/render/plan-text.js';
import { CASES, MINER_SECRET, WORKER_SECRET, minerKeys, plan, plistView, step } from './plan-cases.js';
import { renderPlist } from '../../src/launchd/plist-render.js';

// XML and JSON both need escaping for this one, so every escaped form is exercised.
const PLANTED = 'planted-S3CRET&<value>"quoted"';
const OLD = 'old-secret-never-in-any-step';
const SHORT = 'pw1';

/** Every form a leaked secret could take in text or JSON output. */
const forms = (s: string) => [s, s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), JSON.stringify(s).slice(1, -1)];

function outputs(p: Plan): Record<string, string> {
  return {
    'text (no colours)': renderPlanText(p, noColors),
    'text (ansi)': renderPlanText(p, ansiColors),
    'plan json': JSON.stringify(planJson(p)),
    'drift json': JSON.stringify(driftJson(p)),
    'drift text': renderDriftText(p.drift, noColors, secretValues(p)),
  };
}

// A plan built as if the model had failed to mask: the secret sits in clear in keys, text, reason and drift.
function leakyPlan(): Plan {
  const clearAfter = minerKeys({ FULLNODE_API_INFO: PLANTED, SHORT_PW: SHORT });
  const clearBefore = minerKeys({ FULLNODE_API_INFO: OLD, SHORT_PW: 'pw0' });
  const change: Change = {
    address: 'miner.plist', service: 'miner', resource: 'plist', action: 'update', reason: `rotated ${PLANTED}`,
    before: plistView('com.lotusctl.miner', clearBefore, '0600'), after: plistView('com.lotusctl.miner', clearAfter, '0600'),
    sensitive: { FULLNODE_API_INFO: 'changed' },
  };
  return plan({
    changes: [change, { address: 'miner.job', service: 'miner', resource: 'job', action: 'replace', reason: 'plist changed', before: { loaded: true, enabled: true, running: true }, after: { loaded: true, enabled: true, running: true } }],
    drift: [{ service: 'miner', label: 'com.lotusctl.miner', kind: 'plist-edited', message: `value was ${PLANTED}` }],
    steps: [step('miner', 'com.lotusctl.miner', {
      plist: { action: 'write', text: renderPlist(clearAfter), mode: 0o600, digest: 'x' },
      ops: ['bootout', 'bootstrap'], sensitiveKeys: ['FULLNODE_API_INFO', 'SHORT_PW'],
    })],
    summary: { add: 1, change: 1, destroy: 1 },
  });
}

describe('secrets never reach plan or drift output', () => {
  const p = leakyPlan();

  it('the planted secret really is in the input (the test can fail)', () => {
    const input = JSON.stringify(p);
    for (const s of [PLANTED, OLD, SHORT]) expect(input).toContain(JSON.stringify(s).slice(1, -1));
    expect(secretValues(p)).toEqual([PLANTED]);
  });

  for (const [what, out] of Object.entries(outputs(p))) {
    it(`${what}: no planted, old or short secret in any form`, () => {
      for (const s of [PLANTED, OLD]) for (const f of forms(s)) expect(out).not.toContain(f);
      expect(out).not.toMatch(/pw[01]/);
    });
  }

  it('the text still says which secret changed, and how', () => {
    const text = renderPlanText(p, noColors);
    expect(text).toContain('~ FULLNODE_API_INFO = (sensitive value) (changed)');
    expect(text).toContain('~ SHORT_PW          = (sensitive value) (changed)');
  });

  it('JSON lists sensitive names with their status and masks their values', () => {
    const ch = planJson(p).changes[0]!;
    expect(ch.sensitive).toEqual({ FULLNODE_API_INFO: 'changed', SHORT_PW: 'changed' });
    expect(ch.after).toMatchObject({ keys: { EnvironmentVariables: { FULLNODE_API_INFO: '(sensitive)', SHORT_PW: '(sensitive)', LOTUS_MINER_PATH: '/Users/alice/.lotusminer' } } });
  });

  it('JSON never carries steps or plist text', () => {
    const j = planJson(p) as unknown as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(['changes', 'created_at', 'drift', 'fingerprint', 'format_version', 'last_applied_at', 'leftovers', 'mode', 'summary']);
    expect(JSON.stringify(j)).not.toContain('<plist');
  });

  it('golden cases: the clear secrets of their steps and views never appear', () => {
    for (const [name, c] of Object.entries(CASES)) {
      for (const out of Object.values(outputs(c))) {
        for (const s of [MINER_SECRET, WORKER_SECRET]) expect(out, name).not.toContain(s);
      }
    }
    expect(JSON.stringify(CASES['delete-removed-service'])).toContain(WORKER_SECRET);
    expect(JSON.stringify(CASES['secret-changed'])).toContain(MINER_SECRET);
  });
});

describe('masking helpers', () => {
  it('maskPlistText masks only sensitive names inside EnvironmentVariables', () => {
    const text = renderPlist({ Label: 'A', EnvironmentVariables: { A: 'keep', S: 'x&y' }, Other: { S: 'not env' } });
    const masked = maskPlistText(text, (n) => n === 'S');
    expect(masked).toContain('<string>keep</string>');
    expect(masked).not.toContain('x&amp;y');
    expect(masked).toContain('<key>S</key>\n\t\t\t<string>(sensitive)</string>');
    expect(masked).toContain('<string>not env</string>');
  });

  it('scrubText replaces raw, XML- and JSON-escaped forms', () => {
    const s = 'a"b&c<d';
    expect(scrubText(`1 ${s} 2 a"b&amp;c&lt;d 3 a\\"b&c<d`, [s])).toBe('1 (sensitive) 2 (sensitive) 3 (sensitive)');
  });

  it('scrubJson walks strings and keys', () => {
    expect(scrubJson({ 'k-secret123': ['x secret123 y', 1, null] }, ['secret123'])).toEqual({ 'k-(sensitive)': ['x (sensitive) y', 1, null] });
  });

  it('secretValues skips values too short to scrub safely, and steps that do not write', () => {
    const p = plan({
      changes: [], summary: {},
      steps: [
        step('a', 'l.a', { sensitiveKeys: ['K'], plist: { action: 'write', text: renderPlist({ EnvironmentVariables: { K: 'tiny' } }), mode: 0o600, digest: '' } }),
        step('b', 'l.b', { sensitiveKeys: ['K'], plist: { action: 'remove' } }),
        step('c', 'l.c', { sensitiveKeys: ['K', 'J'], plist: { action: 'write', text: renderPlist({ EnvironmentVariables: { K: 'long-enough', J: '(sensitive)' } }), mode: 0o600, digest: '' } }),
      ],
    });
    expect(secretValues(p)).toEqual(['long-enough']);
  });

  it.each([
    ['declared on the change', { sensitive: { S: 'added' as const } }, '0644', ['S'], ['A']],
    ['0600 plist, nothing declared: every value hidden', {}, '0600', ['A', 'S'], []],
    ['0644 plist, nothing declared: nothing hidden', {}, '0644', [], ['A', 'S']],
  ])('envSensitivity: %s', (_name, extra, mode, hidden, shown) => {
    const ch: Change = { address: 'x.plist', service: 'x', resource: 'plist', action: 'delete', reason: '', before: plistView('l.x', { EnvironmentVariables: { A: '1', S: '2' } }, mode), after: null, ...extra };
    const env = envSensitivity(ch, []);
    for (const n of hidden) expect(env.isSensitive(n), n).toBe(true);
    for (const n of shown) expect(env.isSensitive(n), n).toBe(false);
  });

  it('envSensitivity: a variable dropped from a 0600 plist is hidden; names from steps count', () => {
    const ch: Change = {
      address: 'x.plist', service: 'x', resource: 'plist', action: 'update', reason: '',
      before: plistView('l.x', { EnvironmentVariables: { OLD_SECRET: 'v', A: '1', B: '2' } }, '0600'),
      after: plistView('l.x', { EnvironmentVariables: { A: '1', B: '3' } }, '0600'),
    };
    const env = envSensitivity(ch, [step('x', 'l.x', { sensitiveKeys: ['B'] }), step('y', 'l.y', { sensitiveKeys: ['A'] })]);
    expect(['OLD_SECRET', 'A', 'B'].map((n) => env.isSensitive(n))).toEqual([true, false, true]);
    expect(env.status('OLD_SECRET')).toBe('removed');
    expect(env.status('B')).toBe('changed');
  });
});
