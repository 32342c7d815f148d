import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { toDesiredState } from '../../src/spec/desired.js';
import { validateSpecText } from '../../src/spec/validate.js';
import { testHost } from '../helpers/host.js';

const root = join(import.meta.dirname, '../..');
const goldenDir = join(root, 'test/golden/render');
const examples = ['lotus.yaml.example', ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`)];
const update = process.env.UPDATE_GOLDEN === '1';

function desiredFor(file: string) {
  const v = validateSpecText(readFileSync(join(root, file), 'utf8'));
  expect(v.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return toDesiredState(v.spec!, testHost());
}

describe('render: golden plists for every example', () => {
  for (const file of examples) {
    it(file, () => {
      const { desired } = desiredFor(file);
      const dir = join(goldenDir, file.replace(/^examples\//, '').replace(/\.ya?ml(\.example)?$/, ''));
      if (update) mkdirSync(dir, { recursive: true });
      for (const job of desired.jobs) {
        const golden = join(dir, `${job.label}.plist`);
        if (update) writeFileSync(golden, job.plistText);
        expect(job.plistText, `${golden} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(golden, 'utf8'));
      }
      expect(readdirSync(dir).sort()).toEqual(desired.jobs.map((j) => `${j.label}.plist`).sort());
    });
  }

  it('is deterministic: key order in the spec does not change the bytes', () => {
    const a = validateSpecText('version: 1\nservices:\n  d:\n    program: /bin/x\n    nice: 1\n    env: { B: "2", A: "1" }\n').spec!;
    const b = validateSpecText('version: 1\nservices:\n  d:\n    env: { A: "1", B: "2" }\n    nice: 1\n    program: /bin/x\n').spec!;
    expect(toDesiredState(a, testHost()).desired.jobs[0]?.plistText).toBe(toDesiredState(b, testHost()).desired.jobs[0]?.plistText);
  });
});

describe('render: what goes into the plist', () => {
  const one = (extra: string, host = testHost()) => {
    const v = validateSpecText(`version: 1\nservices:\n  daemon:\n    program: lotus\n    args: [daemon]\n${extra}`);
    expect(v.spec, JSON.stringify(v.diagnostics)).toBeDefined();
    return toDesiredState(v.spec!, host);
  };

  it('resolves the program, expands ~ and $HOME, makes LOTUS_PATH absolute', () => {
    const { desired } = one('    repo: ~/.lotus\n    working_directory: $HOME/work\n    logs: { dir: logs }\n');
    const job = desired.jobs[0]!;
    expect(job.plist.ProgramArguments).toEqual(['/opt/homebrew/bin/lotus', 'daemon']);
    expect((job.plist.EnvironmentVariables as Record<string, string>).LOTUS_PATH).toBe('/Users/alice/.lotus');
    expect(job.plist.WorkingDirectory).toBe('/Users/alice/work');
    expect(job.plist.StandardOutPath).toBe('/Users/alice/lotus/logs/daemon.out.log');
    expect(job.plistPath).toBe('/Users/alice/Library/LaunchAgents/com.lotusctl.daemon.plist');
    expect(job.domain).toEqual({ kind: 'gui', uid: 501 });
    expect(job.directories).toEqual(['/Users/alice/lotus/logs']);
  });

  it('warns when the program cannot be made absolute', () => {
    const r = one('', testHost({ programs: {} }));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['lint.program-not-absolute']);
    expect(r.desired.jobs[0]?.plist.ProgramArguments).toEqual(['lotus', 'daemon']);
  });

  it('puts secrets in the plist with mode 0600 and marks them sensitive', () => {
    const { desired } = one('    secret_env: { FULLNODE_API_INFO: { file: secrets/fullnode-api-info } }\n');
    const job = desired.jobs[0]!;
    expect(job.plistMode).toBe(0o600);
    expect(job.sensitiveKeys).toEqual(['FULLNODE_API_INFO']);
    expect((job.plist.EnvironmentVariables as Record<string, string>).FULLNODE_API_INFO).toMatch(/^eyJ/);
  });

  it('an unreadable secret is an error', () => {
    const r = one('    secret_env: { X: { file: /nope } }\n');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['spec.secret-unreadable', 'error']]);
  });

  it('maps every typed key', () => {
    const { desired } = one(`    domain: system
    keep_alive: { successful_exit: false, crashed: true, path_state: { /Volumes/Chain: true }, other_job_enabled: { com.x: true } }
    throttle_interval: 1m
    exit_timeout: 5m
    process_type: Interactive
    nice: -5
    low_priority_io: false
    low_priority_background_io: false
    umask: "022"
    user: filecoin
    group: staff
    abandon_process_group: true
    limits:
      open_files: { soft: 16384, hard: 65536 }
      processes: { soft: 2048, hard: 4096 }
      core: { soft: 0 }
      cpu: { hard: 1h }
      data: { soft: 8GiB }
      file_size: { hard: 1TiB }
      memory_lock: { soft: 64MiB }
      resident_set_size: { soft: 30GiB }
      stack: { soft: 8MiB, hard: 64MiB }
    plist_extra: { LaunchOnlyOnce: false, StartInterval: 3600 }
`);
    const p = desired.jobs[0]!.plist;
    expect(p).toMatchObject({
      KeepAlive: { SuccessfulExit: false, Crashed: true, PathState: { '/Volumes/Chain': true }, OtherJobEnabled: { 'com.x': true } },
      ThrottleInterval: 60, ExitTimeOut: 300, ProcessType: 'Interactive', Nice: -5, LowPriorityIO: false, LowPriorityBackgroundIO: false,
      Umask: 18, UserName: 'filecoin', GroupName: 'staff', AbandonProcessGroup: true, LaunchOnlyOnce: false, StartInterval: 3600,
      SoftResourceLimits: { NumberOfFiles: 16384, NumberOfProcesses: 2048, Core: 0, Data: 8 * 1024 ** 3, MemoryLock: 64 * 1024 ** 2, ResidentSetSize: 30 * 1024 ** 3, Stack: 8 * 1024 ** 2 },
      HardResourceLimits: { NumberOfFiles: 65536, NumberOfProcesses: 4096, CPU: 3600, FileSize: 1024 ** 4, Stack: 64 * 1024 ** 2 },
    });
    expect(desired.jobs[0]!.plistPath).toBe('/Library/LaunchDaemons/com.lotusctl.daemon.plist');
    expect(desired.jobs[0]!.domain).toEqual({ kind: 'system' });
  });

  it('orders jobs by dependency, monitor last', () => {
    const v = validateSpecText('version: 1\nservices:\n  worker: { program: /b/w, depends_on: [miner] }\n  miner: { program: /b/m, depends_on: [daemon] }\n  daemon: { program: /b/d }\nmonitor: {}\n');
    expect(toDesiredState(v.spec!, testHost()).desired.jobs.map((j) => j.name)).toEqual(['daemon', 'miner', 'worker', 'monitor']);
  });
});

describe('render: plistutil (libplist) reads back every plist we write', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lotusctl-plistutil-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const hasPlistutil = (() => {
    try {
      execFileSync('plistutil', ['--help'], { stdio: 'ignore' });
      return true;
    } catch (e) {
      return (e as { status?: number }).status !== undefined;
    }
  })();

  it('plistutil is installed (.ci/run installs libplist-utils)', () => {
    expect(hasPlistutil).toBe(true);
  });

  for (const file of examples) {
    it(file, () => {
      for (const job of desiredFor(file).desired.jobs) {
        const xml = join(tmp, `${job.label}.plist`);
        const bin = join(tmp, `${job.label}.bplist`);
        const back = join(tmp, `${job.label}.back.plist`);
        writeFileSync(xml, job.plistText);
        // XML -> binary -> XML through an independent implementation, then compare values.
        execFileSync('plistutil', ['-i', xml, '-o', bin, '-f', 'bin']);
        execFileSync('plistutil', ['-i', bin, '-o', back, '-f', 'xml']);
        expect(existsSync(back)).toBe(true);
        expect(parse(readFileSync(back, 'utf8'))).toEqual(job.plist);
      }
    });
  }
});
