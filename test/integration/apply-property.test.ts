import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

// The pure model of this property runs 150 cases in test/plan/diff-property.test.ts; here a few cases go through the
// real CLI, the launchctl double and real processes, so the property holds for the whole shell too.
describe('apply then plan shows no changes (property, end to end)', () => {
  it('for generated specs applied one after another on the same machine', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const service = fc.record({
      state: fc.constantFrom('running', 'running', 'stopped', 'absent'),
      keep_alive: fc.constantFrom('true', '{ successful_exit: false }', '{ crashed: true, successful_exit: false }'),
      env: fc.dictionary(fc.constantFrom('GOLOG_LOG_LEVEL', 'LOTUS_FD_MAX'), fc.constantFrom('info', 'debug', '16384')),
      open_files: fc.boolean(),
      logs: fc.boolean(),
      exit_timeout: fc.constantFrom('60s', '120s'),
    });
    const specs = fc.dictionary(fc.constantFrom('daemon', 'miner', 'worker'), service, { minKeys: 1, maxKeys: 3 });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(specs, async (services) => {
        round++;
        const lines = ['version: 1', 'services:'];
        for (const [name, s] of Object.entries(services)) {
          lines.push(`  ${name}:`, `    program: ${sleeper}`, `    state: ${s.state}`, `    keep_alive: ${s.keep_alive}`, `    env: ${JSON.stringify(s.env)}`,
            '    throttle_interval: 1s', `    exit_timeout: ${s.exit_timeout}`);
          if (s.open_files) lines.push('    limits: { open_files: { soft: 16384 } }');
          if (s.logs) lines.push(`    logs: { dir: ~/Library/Logs/${name} }`);
        }
        sb.writeSpec(`${lines.join('\n')}\n`);
        const applied = await sb.cli(['apply', '--auto-approve']);
        expect(applied.code, `round ${round}\n${applied.stdout}\n${applied.stderr}`).toBe(0);
        const plan = await sb.cli(['plan', '--detailed-exitcode']);
        expect(plan.code, `round ${round}\n${plan.stdout}`).toBe(0);
        expect(plan.stdout.trim()).toBe('No changes. Your Mac matches lotus.yaml.');
        for (const [name, s] of Object.entries(services)) {
          const p = await sb.print(`com.lotusctl.${name}`);
          expect(p.loaded, `${name} (${s.state})`).toBe(s.state === 'running');
          if (s.state === 'running') expect(p.pid).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5, seed: 4242, endOnFailure: true },
    );
  });
});
