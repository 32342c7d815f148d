import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiColors, noColors } from '../../src/render/colors.js';
import { driftJson, planJson } from '../../src/render/plan-json.js';
import { renderDriftText, renderPlanText } from '../../src/render/plan-text.js';
import { CASES } from './plan-cases.js';

const root = join(import.meta.dirname, '../..');
const goldenDir = join(root, 'test/golden/plan');
const update = process.env.UPDATE_GOLDEN === '1';
const FILES = ['plan.json', 'plan.txt', 'plan.out.json', 'drift.txt', 'drift.out.json'];
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function golden(dir: string, file: string, actual: string) {
  const path = join(dir, file);
  if (update) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual, `${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

describe('plan views: golden folders test/golden/plan/<case>/', () => {
  for (const [name, plan] of Object.entries(CASES)) {
    it(name, () => {
      const dir = join(goldenDir, name);
      if (update) mkdirSync(dir, { recursive: true });
      // plan.json is the input, so a reader of the folder sees what was rendered.
      golden(dir, 'plan.json', json(plan));
      golden(dir, 'plan.txt', renderPlanText(plan, noColors));
      golden(dir, 'plan.out.json', json(planJson(plan)));
      golden(dir, 'drift.txt', renderDriftText(plan.drift, noColors));
      golden(dir, 'drift.out.json', json(driftJson(plan)));
      expect(readdirSync(dir).sort()).toEqual([...FILES].sort());
    });
  }

  it('has no golden folder without a case', () => {
    expect(readdirSync(goldenDir).sort()).toEqual(Object.keys(CASES).sort());
  });
});

describe('plan views: colours', () => {
  const plan = CASES['update-replace']!;

  it('noColors output has no escape byte, for every case', () => {
    for (const p of Object.values(CASES)) {
      expect(renderPlanText(p, noColors)).not.toContain('\u001b');
      expect(renderDriftText(p.drift, noColors)).not.toContain('\u001b');
    }
  });

  it('ansiColors colours the symbols: + green, ~ yellow, -/+ red', () => {
    const text = renderPlanText(plan, ansiColors);
    expect(text).toContain('\u001b[33m  ~\u001b[39m plist "daemon" {');
    expect(text).toContain('\u001b[31m-/+\u001b[39m job "daemon" {');
    expect(text).toContain('\u001b[32m+\u001b[39m Nice');
    expect(text).toContain('\u001b[31m-\u001b[39m LowPriorityIO');
    expect(text).toContain('\u001b[1mPlan:\u001b[22m 0 to add, 1 to change, 1 to replace, 0 to destroy.');
  });

  it('colours change nothing but the escape codes', () => {
    for (const p of Object.values(CASES)) {
      const stripped = renderPlanText(p, ansiColors).replace(/\u001b\[\d+m/g, '');
      expect(stripped).toBe(renderPlanText(p, noColors));
      expect(renderDriftText(p.drift, ansiColors).replace(/\u001b\[\d+m/g, '')).toBe(renderDriftText(p.drift, noColors));
    }
  });

  it('drift lines are coloured by kind', () => {
    const text = renderDriftText(CASES.drift!.drift, ansiColors);
    expect(text).toContain('\u001b[33m~\u001b[39m');
    expect(text).toContain('\u001b[31m-\u001b[39m');
  });
});
