// Hostile input through the whole pure pipeline: validate -> desired state -> plist text -> plan -> text and JSON views.
// Whatever the strings (control characters, escape sequences, lone surrogates, bidi overrides) and numbers (huge,
// fractional, infinite), nothing may throw (a throw is an error[internal] in the CLI), every plist that renders must
// parse back to the same value, no view may carry a raw ESC or C1 control, and no output may show a secret's value.
import fc from 'fast-check';
import { parse as parsePlist } from 'plist';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../../src/model/actual.js';
import { diff } from '../../src/plan/diff.js';
import { formatDiagnostic } from '../../src/render/diagnostics.js';
import { noColors } from '../../src/render/colors.js';
import { maskedPlistText } from '../../src/render/masked-plist.js';
import { planJson } from '../../src/render/plan-json.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { locate } from '../../src/spec/yaml-source.js';
import { testHost } from '../helpers/host.js';

const NOW = '2026-11-30T00:00:00.000Z';
const CANARY = 'CANARY-hunter2';
const SECRET_FILE = '/Users/alice/lotus/secret';
const EMPTY: ActualState = { jobs: {}, manifest: { formatVersion: 2, jobs: {} }, directories: {} };

/** Mostly a valid value (so specs get as far as rendering), now and then a hostile one. */
const mostly = <T, U>(ok: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: ok, weight: 30 }, { arbitrary: bad, weight: 1 });

// Characters a plist can hold but a terminal acts on, or that trip up naive code: they must render and be escaped.
const oddButValid = fc.constantFrom(
  '\u009b31m', '\u009d0;x\u009c', '\r', '\t', '\n', '\u007f', '\u202e', '\u2066', '\u2028', '\ud83d\ude00', '\ufeff', 'é', '日本', ' ', '"', "'", '&', '<', ']]>', '$HOME', '%s', '\\',
);
// Characters XML 1.0 cannot carry: must be refused, located, at validate time.
const invalid = fc.constantFrom('\u001b[2J', '\u001b]0;pwned\u0007', '\u0001', '\u0000', '\u000b', '\ud800', '\udfff', '\ufffe', '\uffff');
const okText = fc.array(fc.oneof(oddButValid, fc.string({ unit: 'grapheme', maxLength: 4 })), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const badText = fc.tuple(okText, invalid, okText).map(([a, b, c]) => `${a}${b}${c}`);
const text = mostly(okText, fc.oneof(badText, fc.string({ unit: 'binary', maxLength: 8 })));
const path = mostly(okText.map((t) => `/opt/${t.replace(/\0/g, '')}`), text);
const hugeNumber = fc.constantFrom(1e23, 2 ** 53, 2 ** 53 + 2, 2 ** 31, -1, 0.5, Number.MAX_VALUE, Infinity, -Infinity, NaN);
const count = mostly(fc.integer({ min: 1, max: 100_000 }), fc.oneof(hugeNumber, fc.double()));
const duration = mostly(fc.constantFrom('30s', '90s', '5m', '1h30m', '2d', '1.5s', '24855d3h14m7s'),
  fc.oneof(fc.constantFrom('0s', '99999999999999999999999s', `${'9'.repeat(400)}s`, '24855d3h14m8s', '25d'), text));
const size = mostly(fc.constantFrom('4GiB', '512MiB', 1048576, '8PiB'), fc.oneof(fc.constantFrom('99999999999TiB', '1e30', '9007199254740992'), hugeNumber, text));
const plistNumber = mostly(fc.integer({ min: 0, max: 2 ** 31 - 1 }), hugeNumber);
const leaf = fc.oneof(text, plistNumber, fc.boolean());
const nested = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(mostly(okText, text), tie('value'), { maxKeys: 3 })),
})).value;
const envName = mostly(fc.constantFrom('PATH', 'GOLOG_LOG_LEVEL', 'LOTUS_FD_MAX', 'X_1'), text);
const label = mostly(fc.constantFrom('com.example.lotus', 'org.filecoin.lotus-miner'), fc.oneof(text, fc.constant('a'.repeat(260))));

const service = fc.record({
  program: mostly(fc.constantFrom('lotus', '/usr/local/bin/lotus'), text),
  args: fc.array(text, { maxLength: 3 }),
  env: fc.dictionary(envName, text, { maxKeys: 3 }),
  label,
  exit_timeout: duration,
  throttle_interval: duration,
  nice: mostly(fc.integer({ min: -20, max: 20 }), hugeNumber),
  umask: mostly(fc.constantFrom('022', 18), fc.oneof(hugeNumber, text)),
  working_directory: path,
  logs: fc.record({ dir: path, stdout: path }, { requiredKeys: [] }),
  limits: fc.record({
    open_files: fc.record({ soft: count, hard: count }, { requiredKeys: [] }).filter((p) => Object.keys(p).length > 0),
    core: fc.record({ soft: size }),
    cpu: fc.record({ hard: duration }),
  }, { requiredKeys: [] }),
  keep_alive: fc.oneof(fc.boolean(), fc.record({ path_state: fc.dictionary(path, fc.boolean(), { maxKeys: 2 }) })),
  plist_extra: fc.oneof(
    fc.record({ StartInterval: plistNumber, WatchPaths: fc.array(path, { maxLength: 2 }), LaunchEvents: fc.dictionary(okText, nested, { maxKeys: 2 }) }, { requiredKeys: [] }),
    fc.dictionary(text, nested, { maxKeys: 2 }),
  ),
  secret_env: fc.constant({ TOKEN: { file: SECRET_FILE } }),
  health: fc.record({ startup_grace: duration, max_chain_lag: count, min_peers: count }, { requiredKeys: [] }),
}, { requiredKeys: ['program', 'secret_env'] });
const monitor = fc.record({
  label, schedule: mostly(fc.constantFrom('30s', '5m', '0 * * * *'), duration), max_memory: size, failure_threshold: count,
  backoff: fc.record({ initial: duration, max: duration }, { requiredKeys: [] }),
  circuit_breaker: fc.record({ max_restarts: count, window: duration }, { requiredKeys: [] }),
  log_rotation: fc.record({ max_size: size, keep: mostly(fc.integer({ min: 0, max: 100 }), hugeNumber) }, { requiredKeys: [] }),
  samples_retention: mostly(fc.constantFrom('30d', '1d', '3660d'), duration),
}, { requiredKeys: [] });
const spec = fc.record({
  version: mostly(fc.constant(1), fc.oneof(hugeNumber, text)),
  services: fc.dictionary(mostly(fc.constantFrom('daemon', 'miner'), fc.constant('Bad Name')), service, { minKeys: 1, maxKeys: 2 }),
  monitor: fc.option(monitor, { nil: undefined }),
});
const secretValue = mostly(
  fc.array(fc.oneof(oddButValid, fc.constant(CANARY)), { maxLength: 3 }),
  fc.array(fc.oneof(oddButValid, invalid, fc.constant(CANARY)), { minLength: 1, maxLength: 3 }).map((a) => [...a, '\u0001']),
).map((a) => `${CANARY}${a.join('')}`);

const RAW_TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile specs through the pure pipeline (property)', () => {
  it('never throw, never leak a secret, never put a raw terminal control in a view, always render parseable plists', () => {
    let rendered = 0;
    fc.assert(
      fc.property(spec, secretValue, fc.constantFrom(0o600, 0o644, 0o640), fc.constantFrom('/Users/alice', '/Users/alice', '/Users/alice', '/Users/al\u0001ice'), (doc, secret, mode, home) => {
        let yamlText: string;
        try {
          yamlText = stringify(doc);
        } catch {
          return; // a document YAML itself cannot write is not a spec anyone can hand us
        }
        const host = testHost({ home, specPath: `${home}/lotus/lotus.yaml`, secrets: { [SECRET_FILE]: secret }, secretModes: { [SECRET_FILE]: mode } });
        const v = validateSpecText(yamlText);
        const shown: string[] = v.diagnostics.map((d) => formatDiagnostic('lotus.yaml', d, noColors));
        const check = () => {
          for (const s of shown) expect(s).not.toContain(CANARY);
          // Diagnostics and the plan text escape what a terminal would act on (the CLI filters everything once more).
          for (const s of [...shown.slice(0, v.diagnostics.length), ...shown.filter((s) => s.includes('Plan:') || s.startsWith('No changes'))]) expect(s).not.toMatch(RAW_TERMINAL_CONTROL);
        };
        if (v.spec) {
          const r = toDesiredState(v.spec, host);
          shown.push(...r.diagnostics.map((d) => formatDiagnostic('lotus.yaml', { ...d, ...locate(v.source, d.path) }, noColors)));
          // With an error (a secret or HOME that a plist cannot hold) nothing is written: the CLI stops here.
          if (r.diagnostics.some((d) => d.severity === 'error')) {
            check();
            return;
          }
          for (const job of r.desired.jobs) {
            // What apply would write parses back to exactly the desired dict.
            expect(parsePlist(job.plistText)).toEqual(JSON.parse(JSON.stringify(job.plist)));
            shown.push(maskedPlistText(job));
          }
          rendered++;
          const p = diff(r.desired, EMPTY, { now: NOW });
          shown.push(renderPlanText(p, noColors), JSON.stringify(planJson(p)));
        }
        check();
      }),
      { numRuns: 400, seed: 20260808 },
    );
    // The generators must reach rendering often enough for the test to mean something.
    expect(rendered).toBeGreaterThan(25);
  });
});
