import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readManifest, writeManifest } from '../../src/system/manifest.js';
import { thrown } from '../helpers/thrown.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lotusctl-manifest-'));
  dirs.push(d);
  return d;
};
const v1Record = (over: Record<string, unknown> = {}) => ({
  name: 'daemon', kind: 'service', label: 'com.lotusctl.daemon', domain: { kind: 'gui', uid: 501 },
  plist_path: '/Users/a/Library/LaunchAgents/com.lotusctl.daemon.plist', digest: 'abc', state: 'running', sensitive_keys: [], applied_at: '2025-01-01T00:00:00Z', ...over,
});

describe('state.json', () => {
  it('reads format 1 (before owners) without losing a job, and writes format 2 with owners', () => {
    const d = dir();
    writeFileSync(join(d, 'state.json'), JSON.stringify({ format_version: 1, jobs: { 'com.lotusctl.daemon': v1Record() } }));
    const m = readManifest(d);
    expect(Object.keys(m.jobs)).toEqual(['com.lotusctl.daemon']);
    expect(m.jobs['com.lotusctl.daemon']?.owner).toBeUndefined();
    writeManifest(d, { ...m, jobs: { 'com.lotusctl.daemon': { ...m.jobs['com.lotusctl.daemon']!, owner: { spec: '/Users/a/lotus.yaml', name: 'main' } } } });
    const text = JSON.parse(readFileSync(join(d, 'state.json'), 'utf8'));
    expect(text.format_version).toBe(2);
    expect(text.jobs['com.lotusctl.daemon'].owner).toEqual({ spec: '/Users/a/lotus.yaml', name: 'main' });
    expect(readManifest(d).jobs['com.lotusctl.daemon']?.owner).toEqual({ spec: '/Users/a/lotus.yaml', name: 'main' });
  });

  it('refuses a record whose plist path is not <label>.plist: lotusctl would remove or rewrite that file', () => {
    const d = dir();
    writeFileSync(join(d, 'state.json'), JSON.stringify({ format_version: 2, jobs: { 'com.lotusctl.daemon': v1Record({ plist_path: '/Users/a/.profile' }) } }));
    expect(thrown(() => readManifest(d))).toMatchObject({ code: 'state.corrupt' });
  });

  it('says when the file comes from a newer lotusctl', () => {
    const d = dir();
    writeFileSync(join(d, 'state.json'), JSON.stringify({ format_version: 3, jobs: {} }));
    expect(thrown(() => readManifest(d))).toMatchObject({ code: 'state.newer-format' });
  });
});
