import { describe, expect, it } from 'vitest';
import { validateSpecText } from '../../src/spec/validate.js';
import { dottedPath } from '../../src/model/diagnostic.js';

const base = (extra = '') => `version: 1
services:
  daemon:
    program: /usr/local/bin/lotus
    args: [daemon]
${extra}`;

function problems(text: string, strict = false) {
  return validateSpecText(text, { strict }).diagnostics.map((d) => ({
    at: `${d.line}:${d.col}`, path: dottedPath(d.path), code: d.code, severity: d.severity, message: d.message, hint: d.hint,
  }));
}

describe('validateSpecText: errors with line:col and field path', () => {
  const cases: Array<{ name: string; text: string; want: Array<{ at: string; path: string; code: string; message?: RegExp; hint?: RegExp }> }> = [
    {
      name: 'unknown key with did-you-mean',
      text: base('    exit_timout: 10s\n'),
      want: [{ at: '6:5', path: 'services.daemon.exit_timout', code: 'spec.unknown-key', hint: /did you mean "exit_timeout"/ }],
    },
    {
      name: 'unknown nested key inside a union branch',
      text: base('    keep_alive: { crashd: true }\n'),
      want: [{ at: '6:19', path: 'services.daemon.keep_alive.crashd', code: 'spec.unknown-key', hint: /crashed/ }],
    },
    {
      name: 'wrong type',
      text: base('    run_at_load: "yes"\n'),
      want: [{ at: '6:18', path: 'services.daemon.run_at_load', code: 'spec.invalid-type', message: /expected true or false, got the string "yes"/ }],
    },
    {
      name: 'keep_alive neither bool nor mapping',
      text: base('    keep_alive: 3\n'),
      want: [{ at: '6:17', path: 'services.daemon.keep_alive', code: 'spec.invalid-type', message: /true or false or a mapping/ }],
    },
    {
      name: 'missing required field',
      text: 'version: 1\nservices:\n  daemon:\n    args: [daemon]\n',
      want: [{ at: '4:5', path: 'services.daemon.program', code: 'spec.missing', message: /is required/ }],
    },
    {
      name: 'wrong version',
      text: 'version: 2\nservices:\n  d:\n    program: /bin/true\n',
      want: [{ at: '1:10', path: 'version', code: 'spec.invalid-value', message: /expected 1/ }],
    },
    {
      name: 'bad duration',
      text: base('    exit_timeout: 2 minutes\n'),
      want: [{ at: '6:19', path: 'services.daemon.exit_timeout', code: 'spec.custom', message: /duration/ }],
    },
    {
      name: 'nice out of range',
      text: base('    nice: 40\n'),
      want: [{ at: '6:11', path: 'services.daemon.nice', code: 'spec.too-big', message: /at most 20/ }],
    },
    {
      name: 'hostile label: path traversal',
      text: base('    label: ../../etc/evil\n'),
      want: [{ at: '6:12', path: 'services.daemon.label', code: 'spec.invalid-format' }],
    },
    {
      name: 'hostile label: slash',
      text: base('    label: com/evil\n'),
      want: [{ at: '6:12', path: 'services.daemon.label', code: 'spec.invalid-format' }],
    },
    {
      name: 'hostile label: space',
      text: base('    label: "com evil"\n'),
      want: [{ at: '6:12', path: 'services.daemon.label', code: 'spec.invalid-format' }],
    },
    {
      name: 'hostile label: NUL',
      text: base('    label: "com.evil\\0x"\n'),
      // Refused by the character check (a plist cannot hold NUL), once, at the same place.
      want: [{ at: '6:12', path: 'services.daemon.label', code: 'spec.invalid-character' }],
    },
    {
      name: 'bad service name',
      text: 'version: 1\nservices:\n  ../Daemon:\n    program: /bin/true\n',
      want: [{ at: '3:3', path: 'services.../Daemon', code: 'spec.invalid-key' }],
    },
    {
      name: 'duplicate key',
      text: base('    nice: 1\n    nice: 2\n'),
      want: [{ at: '7:5', path: '', code: 'spec.duplicate-key' }],
    },
    {
      name: 'yaml syntax error',
      text: 'version: 1\nservices:\n  daemon: [unclosed\n',
      want: [{ at: '4:1', path: '', code: 'spec.yaml-syntax' }],
    },
    {
      name: 'duplicate labels',
      text: 'version: 1\nservices:\n  a:\n    program: /bin/a\n    label: com.x\n  b:\n    program: /bin/b\n    label: com.x\n',
      want: [{ at: '8:12', path: 'services.b.label', code: 'spec.duplicate-label', message: /already used by service "a"/ }],
    },
    {
      name: 'unknown dependency',
      text: base('    depends_on: [deamon]\n'),
      want: [{ at: '6:18', path: 'services.daemon.depends_on[0]', code: 'spec.unknown-dependency', hint: /did you mean "daemon"/ }],
    },
    {
      name: 'self dependency',
      text: base('    depends_on: [daemon]\n'),
      want: [{ at: '6:18', path: 'services.daemon.depends_on[0]', code: 'spec.self-dependency' }],
    },
    {
      name: 'dependency cycle',
      text: 'version: 1\nservices:\n  a:\n    program: /bin/a\n    depends_on: [b]\n  b:\n    program: /bin/b\n    depends_on: [a]\n',
      want: [{ at: '5:18', path: 'services.a.depends_on[0]', code: 'spec.dependency-cycle', message: /a -> b -> a/ }],
    },
    {
      name: 'plist_extra unknown key',
      text: base('    plist_extra: { StartIntervall: 5 }\n'),
      want: [{ at: '6:20', path: 'services.daemon.plist_extra.StartIntervall', code: 'spec.unknown-plist-key', hint: /StartInterval/ }],
    },
    {
      name: 'plist_extra wrong type',
      text: base('    plist_extra: { StartInterval: "5" }\n'),
      want: [{ at: '6:35', path: 'services.daemon.plist_extra.StartInterval', code: 'spec.plist-key-type' }],
    },
    {
      name: 'plist_extra key owned by a field',
      text: base('    plist_extra: { Nice: 1 }\n'),
      want: [{ at: '6:20', path: 'services.daemon.plist_extra.Nice', code: 'spec.plist-key-has-field', hint: /use nice/ }],
    },
    {
      name: 'bad cron',
      text: base('monitor:\n  schedule: "0 25 * * *"\n'),
      want: [{ at: '7:13', path: 'monitor.schedule', code: 'spec.custom', message: /hour field/ }],
    },
    {
      name: 'no services',
      text: 'version: 1\nservices: {}\n',
      want: [{ at: '2:11', path: 'services', code: 'spec.custom', message: /at least one service/ }],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.text).filter((p) => p.severity === 'error');
      expect(got.map(({ at, path, code }) => ({ at, path, code }))).toEqual(c.want.map(({ at, path, code }) => ({ at, path, code })));
      c.want.forEach((w, i) => {
        if (w.message) expect(got[i]?.message).toMatch(w.message);
        if (w.hint) expect(got[i]?.hint).toMatch(w.hint);
      });
      expect(validateSpecText(c.text).spec).toBeUndefined();
    });
  }

  it('reports all problems at once, in file order', () => {
    const got = problems(base('    nice: 99\n    exit_timout: 1s\n    run_at_load: 3\n'));
    expect(got.map((p) => p.at)).toEqual(['6:11', '7:5', '8:18']);
  });
});

describe('validateSpecText: hostile and huge input fails fast', () => {
  it('an alias bomb is refused', () => {
    const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('services: { d: { program: /bin/true, args: *j } }');
    // Without the cap this expands 10^10 nodes and never returns (the test would time out).
    const got = problems(bomb.join('\n'));
    expect(got.map((p) => p.code)).toEqual(['spec.alias-limit']);
  });

  it('nesting too deep for the parser is one clear error, not a stack overflow', () => {
    const n = 3000;
    const got = problems(`version: 1\nservices: { d: { program: /bin/true, plist_extra: { LaunchEvents: { a: ${'['.repeat(n)}1${']'.repeat(n)} } } } }\n`);
    expect(got.map((p) => p.code)).toEqual(['spec.too-deep']);
    // Deep enough to stress every later pass, shallow enough for the parser: refused by the explicit bound.
    const mid = problems(`version: 1\nservices: { d: { program: /bin/true, plist_extra: { LaunchEvents: { a: ${'['.repeat(40)}1${']'.repeat(40)} } } } }\n`);
    expect(mid).toEqual([expect.objectContaining({ code: 'spec.too-deep', at: '2:100', message: 'nested more than 32 levels deep' })]);
  });

  it('a multi-megabyte file is refused before parsing', () => {
    const big = `version: 1\n# ${'x'.repeat(3 * 1024 * 1024)}\n`;
    expect(problems(big)).toEqual([expect.objectContaining({ at: '1:1', code: 'spec.too-large' })]);
  });

  it('non-mapping documents get a type error, not a crash', () => {
    for (const text of ['', '- a\n- b\n', '42\n', 'null\n']) {
      const got = problems(text);
      expect(got.length).toBeGreaterThan(0);
      expect(got[0]?.code).toBe('spec.invalid-type');
    }
  });
});

describe('lint warnings (exit 0), --strict makes them errors', () => {
  const cases: Array<[string, string, string]> = [
    ['network_state', '    keep_alive: { network_state: true }\n', 'lint.network-state'],
    ['user in agent', '    user: filecoin\n', 'lint.username-in-agent'],
    ['group in agent', '    group: staff\n', 'lint.groupname-in-agent'],
    ['Background process type', '    process_type: Background\n', 'lint.background-process-type'],
    ['positive nice', '    nice: 5\n', 'lint.positive-nice'],
    ['low priority io', '    low_priority_io: true\n', 'lint.low-priority-io'],
    ['short exit timeout', '    exit_timeout: 20s\n', 'lint.exit-timeout-short'],
    ['low open files', '    limits: { open_files: { soft: 1024 } }\n', 'lint.open-files-low'],
    ['logs in /tmp', '    logs: { dir: /tmp/lotus }\n', 'lint.logs-in-tmp'],
    ['logs in Documents', '    logs: { dir: ~/Documents/lotus }\n', 'lint.logs-in-privacy-folder'],
    ['obsolete plist key', '    plist_extra: { OnDemand: false }\n', 'lint.obsolete-plist-key'],
  ];
  for (const [name, extra, code] of cases) {
    it(name, () => {
      const r = validateSpecText(base(extra));
      expect(r.spec).toBeDefined();
      expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([[code, 'warning']]);
      expect(r.diagnostics[0]?.hint).toBeTruthy();
      const strict = validateSpecText(base(extra), { strict: true });
      expect(strict.spec).toBeUndefined();
      expect(strict.diagnostics.map((d) => d.severity)).toEqual(['error']);
    });
  }

  it('user/group in the system domain are not warned about', () => {
    const r = validateSpecText(base('    domain: system\n    user: filecoin\n'));
    expect(r.diagnostics).toEqual([]);
  });

  it('a plain ~ means the home folder, not YAML null', () => {
    const r = validateSpecText(base('    working_directory: ~\n'));
    expect(r.spec?.services.daemon?.working_directory).toBe('~');
  });
});

describe('validateSpecText: cross-field errors come with schema errors', () => {
  it('an unknown dependency is reported even when another field has a type error', () => {
    const got = problems('version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    nice: high\n  miner:\n    program: /bin/m\n    depends_on: [deamon]\n');
    expect(got.map((p) => [p.at, p.code])).toEqual([['5:11', 'spec.invalid-type'], ['8:18', 'spec.unknown-dependency']]);
  });
});
