import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

const GIB = 1024 ** 3;
let sb: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  sb = new Sandbox();
  const facts = sb.path('machine.json');
  writeFileSync(facts, JSON.stringify({
    platform: 'darwin', os_version: '14.5', cpu_cores: 10, memory_bytes: 32 * GIB, max_files_per_proc: 24576,
    volumes: [{ mount: '/', size_bytes: 1000 * GIB, free_bytes: 400 * GIB }],
  }));
  env = { LOTUSCTL_MACHINE_FACTS: facts };
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const SPEC = `# yaml-language-server: $schema=./specs/lotus.schema.json
# The node on the Mac mini under the desk.
version: 1
services:
  daemon:                              # the chain
    program: lotus
    args: [daemon]
    repo: ~/.lotus                     # on the internal SSD
    process_type: Background           # someone thought this was polite
    exit_timeout: 10s
    limits:
      open_files: { soft: 256 }        # macOS default
monitor:
  schedule: 30s
`;

describe('lotusctl optimize', () => {
  it('proposes changes as a diff (exit 2), --write applies them keeping comments (exit 0), then nothing is left (exit 0)', async () => {
    sb.writeSpec(SPEC);
    const r = await sb.cli(['optimize'], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain('This machine: macOS 14.5, 10 CPU cores, 32GiB memory, kern.maxfilesperproc 24576');
    expect(r.stdout).toMatch(/priority\n {4}daemon: process_type Background -> Interactive\n {6}Background throttles CPU and I\/O: a syncing node falls behind the chain\n {6}source: specs\/launchd-behaviour\.md §1/);
    expect(r.stdout).toMatch(/daemon: limits\.open_files\.hard \(unset\) -> 24576/);
    expect(r.stdout).toMatch(/monitor: max_memory \(unset\) -> 28GiB/);
    expect(r.stdout).toContain('\n-    process_type: Background           # someone thought this was polite\n');
    expect(r.stdout).toContain('\n+    process_type: Interactive          # someone thought this was polite\n');
    expect(r.stdout).toContain('\n+      open_files: { soft: 16384, hard: 24576 } # macOS default\n');
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe(SPEC);

    const w = await sb.cli(['optimize', '--write'], env);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain('Wrote lotus.yaml (comments and layout kept).');
    const after = readFileSync(sb.path('lotus.yaml'), 'utf8');
    expect(after).toContain('# The node on the Mac mini under the desk.');
    expect(after).toContain('      open_files: { soft: 16384, hard: 24576 } # macOS default\n');
    expect(after).toContain('    repo: ~/.lotus                     # on the internal SSD');
    expect((await sb.cli(['validate'])).code).toBe(0);

    const again = await sb.cli(['optimize'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to propose: lotus.yaml already suits this machine.');
  });

  it('--json: snake_case, format_version, every proposal with its category, reason and source', async () => {
    sb.writeSpec(SPEC);
    const r = await sb.cli(['optimize', '--json'], env);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format_version: '1', file: 'lotus.yaml', written: false, machine: { platform: 'darwin', memory_bytes: 32 * GIB, max_files_per_proc: 24576 } });
    expect(doc.proposals.map((p: { category: string; path: string; to: unknown }) => [p.category, p.path, p.to])).toEqual([
      ['limits', 'services.daemon.limits.open_files.soft', 16384],
      ['limits', 'services.daemon.limits.open_files.hard', 24576],
      ['priority', 'services.daemon.process_type', 'Interactive'],
      ['shutdown-time', 'services.daemon.exit_timeout', '120s'],
      ['logging', 'services.daemon.logs', { dir: '~/Library/Logs/lotus' }],
      ['memory-ceiling', 'monitor.max_memory', '28GiB'],
    ]);
    for (const p of doc.proposals) expect(p.reason && p.source).toBeTruthy();
    expect(doc.diff).toMatch(/^--- lotus\.yaml\n\+\+\+ lotus\.yaml\n@@/);
  });

  it('reads this machine when no facts are given', async () => {
    sb.writeSpec(SPEC);
    const r = await sb.cli(['optimize', '--json']);
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.machine.memory_bytes).toBeGreaterThan(0);
    expect(doc.machine.cpu_cores).toBeGreaterThan(0);
  });

  it('fails (exit 1) on a missing or invalid lotus.yaml and on unusable machine facts, writing nothing', async () => {
    const missing = await sb.cli(['optimize'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error\[spec\.not-found\]/);
    const bad = SPEC.replace('exit_timeout: 10s', 'exit_timout: 10s');
    sb.writeSpec(bad);
    const invalid = await sb.cli(['optimize', '--write'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/lotus\.yaml:10:5 .*unknown key "exit_timout"/);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe(bad);
    sb.writeSpec(SPEC);
    writeFileSync(env.LOTUSCTL_MACHINE_FACTS as string, '{"platform": "darwin"}');
    const facts = await sb.cli(['optimize', '--write'], env);
    expect(facts.code).toBe(1);
    expect(facts.stderr).toMatch(/error\[machine\.facts-invalid\]: LOTUSCTL_MACHINE_FACTS=.*cpu_cores/);
    expect(readFileSync(sb.path('lotus.yaml'), 'utf8')).toBe(SPEC);
  });
});
