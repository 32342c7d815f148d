import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLotusctlError, type LotusctlError } from '../../src/model/errors.js';
import { acquireLock, breakStaleLock, forceUnlock, lockPath, lockStatus, lockWaitMs, readLock, type LockInfo } from '../../src/system/lock.js';
import { currentBoot, processStart, selfRecord } from '../../src/system/process-identity.js';
import { thrown } from '../helpers/thrown.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const lockModule = pathToFileURL(join(repoRoot, 'src/system/lock.ts')).href;

// A second lotusctl: a real process running the real module (through tsx). Protocol on stdio:
// it prints `loaded`, waits for `go`, tries once and prints `won <info json>` or `held <code>`;
// then `release` releases (prints `released`), `exit` calls process.exit(3), and stdin EOF ends it naturally.
const HOLDER = `
const { acquireLock } = await import(${JSON.stringify(lockModule)});
const rl = (await import('node:readline')).createInterface({ input: process.stdin });
let lock;
console.log('loaded');
rl.on('line', async (cmd) => {
  if (cmd === 'go') {
    try {
      lock = await acquireLock(process.env.STATE_DIR, 'apply --auto-approve', { waitMs: 0 });
      console.log('won ' + JSON.stringify(lock.info));
    } catch (e) {
      console.log('held ' + e.code);
    }
  }
  if (cmd === 'release') { await lock.release(); console.log('released'); }
  if (cmd === 'exit') process.exit(3);
});
`;

interface Kid {
  proc: ChildProcess;
  send(line: string): void;
  /** The first stdout line matching, polled until 30 s pass or the process exits. */
  waitFor(line: RegExp): Promise<string>;
  exited: Promise<void>;
}

const kids: Kid[] = [];

function spawnHolder(stateDir: string): Kid {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', HOLDER], {
    cwd: repoRoot, env: { ...process.env, STATE_DIR: stateDir }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let done = false;
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
  proc.stderr!.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<void>((res) => proc.once('exit', () => { done = true; res(); }));
  const kid: Kid = {
    proc,
    exited,
    send: (line) => proc.stdin!.write(`${line}\n`),
    async waitFor(line) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const hit = lines.find((l) => line.test(l));
        if (hit !== undefined) return hit;
        if (done || Date.now() > deadline) throw new Error(`holder pid ${proc.pid}: no ${String(line)} line (exited: ${done}); stdout: ${lines.join(' | ')}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  kids.push(kid);
  return kid;
}

async function holderWithLock(stateDir: string): Promise<{ kid: Kid; info: LockInfo }> {
  const kid = spawnHolder(stateDir);
  await kid.waitFor(/^loaded$/);
  kid.send('go');
  const won = await kid.waitFor(/^won /);
  return { kid, info: JSON.parse(won.slice(4)) as LockInfo };
}

async function kill(kid: Kid): Promise<void> {
  if (kid.proc.exitCode === null && kid.proc.signalCode === null) kid.proc.kill('SIGKILL');
  await kid.exited;
}

async function rejection(p: Promise<unknown>): Promise<LotusctlError> {
  try {
    await p;
  } catch (e) {
    if (isLotusctlError(e)) return e;
    throw e;
  }
  throw new Error('expected a LotusctlError, got success');
}

let root: string;
let stateDir: string;
const releases: Array<() => Promise<void>> = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lotusctl-lock-'));
  stateDir = join(root, 'state');
});

afterEach(async () => {
  await Promise.all(kids.splice(0).map(kill));
  for (const r of releases.splice(0)) await r();
  rmSync(root, { recursive: true, force: true });
});

async function acquire(dir: string, command: string, opts: Parameters<typeof acquireLock>[2] = {}) {
  const lock = await acquireLock(dir, command, opts);
  releases.push(lock.release);
  return lock;
}

describe('acquireLock / release (one process)', () => {
  it('creates the state dir 0700 and a 0600 lock.json describing this process; release removes it', async () => {
    const now = new Date('2026-11-30T09:00:00.000Z');
    const previous = process.umask(0o000);
    let lock;
    try {
      lock = await acquire(stateDir, 'apply --auto-approve', { now: () => now });
    } finally {
      process.umask(previous);
    }
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(lockPath(stateDir)).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(readFileSync(lockPath(stateDir), 'utf8')) as LockInfo;
    expect(onDisk).toEqual(lock.info);
    expect(onDisk).toMatchObject({ pid: process.pid, host: hostname(), command: 'apply --auto-approve', since: '2026-11-30T09:00:00.000Z' });
    // What lets the next run prove this process dead even after its pid is reused or the machine restarted.
    expect(onDisk.start).toBe((await processStart(process.pid))?.token);
    expect(onDisk.boot).toBe(await currentBoot());
    expect(onDisk.boot).toMatch(/^[0-9A-F-]{36}$/);
    expect(onDisk.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(onDisk.user.length).toBeGreaterThan(0);
    expect(readLock(stateDir)).toEqual(lock.info);

    await lock.release();
    expect(existsSync(lockPath(stateDir))).toBe(false);
    expect(readLock(stateDir)).toBeUndefined();
    await lock.release(); // idempotent
    const again = await acquire(stateDir, 'plan');
    expect(again.info.id).not.toBe(lock.info.id);
  });

  it('a second acquire waits about waitMs, then fails with lock.held naming the holder', async () => {
    const first = await acquire(stateDir, 'apply');
    const started = performance.now();
    const err = await rejection(acquireLock(stateDir, 'plan', { waitMs: 300, pollMs: 20 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(err.code).toBe('lock.held');
    expect(err.message).toBe(`state is locked by pid ${process.pid} on host ${hostname()} (lotusctl apply) since ${first.info.since} (lock ID ${first.info.id})`);
    expect(err.hint).toBe(`wait for it to finish (or stop it: kill ${process.pid}), then run your command again`);
    expect(readLock(stateDir)).toEqual(first.info);
  });

  it('release leaves a lock that is no longer ours (force-unlocked and taken by someone else)', async () => {
    const lock = await acquire(stateDir, 'apply');
    const other: LockInfo = { ...lock.info, id: 'someone-else', pid: 1 };
    writeFileSync(lockPath(stateDir), JSON.stringify(other));
    await lock.release();
    expect(readLock(stateDir)).toEqual(other);
  });

  it('reads LOTUSCTL_LOCK_WAIT_MS only when waitMs is not given', async () => {
    const saved = process.env.LOTUSCTL_LOCK_WAIT_MS;
    process.env.LOTUSCTL_LOCK_WAIT_MS = 'soon';
    try {
      expect((await rejection(acquireLock(stateDir, 'apply'))).code).toBe('lock.invalid-wait');
      await acquire(stateDir, 'apply', { waitMs: 0 });
    } finally {
      if (saved === undefined) delete process.env.LOTUSCTL_LOCK_WAIT_MS;
      else process.env.LOTUSCTL_LOCK_WAIT_MS = saved;
    }
  });

  it('fails with lock.io when the state dir cannot be created', async () => {
    writeFileSync(join(root, 'file'), '');
    const err = await rejection(acquireLock(join(root, 'file', 'state'), 'apply', { waitMs: 0 }));
    expect(err.code).toBe('lock.io');
    expect(err.message).toContain(join(root, 'file', 'state'));
    expect(err.hint).toContain('not a directory');
  });
});

describe('lockWaitMs', () => {
  it.each<[string | undefined, number]>([
    [undefined, 3000], ['', 3000], ['0', 0], ['250', 250], [' 10 ', 10],
  ])('%j -> %d', (raw, want) => {
    expect(lockWaitMs({ LOTUSCTL_LOCK_WAIT_MS: raw })).toBe(want);
  });

  it.each(['abc', '-1', '1.5', '3s'])('rejects %j with lock.invalid-wait', (raw) => {
    const err = thrown(() => lockWaitMs({ LOTUSCTL_LOCK_WAIT_MS: raw }));
    expect(err.code).toBe('lock.invalid-wait');
    expect(err.message).toContain(raw);
  });
});

/** Four processes try to take the lock at once: exactly one wins, the others get lock.held, the lock is the winner's. */
async function raceOfFour(stateDir: string): Promise<void> {
  const racers = [0, 1, 2, 3].map(() => spawnHolder(stateDir));
  // All load first, so the attempts land as close together as the OS schedules them.
  await Promise.all(racers.map((k) => k.waitFor(/^loaded$/)));
  for (const k of racers) k.send('go');
  const results = await Promise.all(racers.map((k) => k.waitFor(/^(won|held) /)));
  const winners = results.filter((l) => l.startsWith('won '));
  expect(winners).toHaveLength(1);
  expect(results.filter((l) => l === 'held lock.held')).toHaveLength(3);
  expect(readLock(stateDir)).toEqual(JSON.parse((winners[0] as string).slice(4)));
}

describe('lock held by another process', () => {
  it('names the holder and never overrides it while it lives; once it is dead, the next acquire takes the lock over', async () => {
    const { kid, info } = await holderWithLock(stateDir);
    expect(info.pid).toBe(kid.proc.pid);
    expect(info.pid).not.toBe(process.pid);

    const held = await rejection(acquireLock(stateDir, 'plan', { waitMs: 200, pollMs: 20 }));
    expect(held.code).toBe('lock.held');
    expect(held.message).toBe(`state is locked by pid ${kid.proc.pid} on host ${hostname()} (lotusctl apply --auto-approve) since ${info.since} (lock ID ${info.id})`);
    expect(held.hint).toBe(`wait for it to finish (or stop it: kill ${kid.proc.pid}), then run your command again`);
    expect((await lockStatus(stateDir))?.liveness).toEqual({ verdict: 'alive', why: 'which is still running' });

    const mismatch = await rejection(forceUnlock(stateDir, 'not-the-id'));
    expect(mismatch.code).toBe('lock.id-mismatch');
    expect(mismatch.message).toContain(`pid ${kid.proc.pid}`);
    const alive = await rejection(forceUnlock(stateDir, info.id));
    expect(alive.code).toBe('lock.holder-alive');
    expect(alive.message).toContain(`pid ${kid.proc.pid}`);
    expect(alive.hint).toContain(`kill ${kid.proc.pid}`);
    expect(readLock(stateDir)).toEqual(info);

    await kill(kid);
    expect((await lockStatus(stateDir))?.liveness).toEqual({ verdict: 'dead', why: 'which is no longer running' });
    const mine = await acquire(stateDir, 'plan', { waitMs: 0 });
    expect(mine.tookOver).toEqual({ holder: info, message: `took over the lock of lotusctl apply --auto-approve pid ${kid.proc.pid}, which is no longer running` });
    expect(readLock(stateDir)).toEqual(mine.info);
    expect(readdirSync(stateDir)).toEqual(['lock.json']);
  });

  it('a waiting acquire gets the lock once the other process releases it', async () => {
    const { kid, info } = await holderWithLock(stateDir);
    // acquireLock tries once before its first await, so this attempt has already met the child's lock.
    const waiting = acquireLock(stateDir, 'plan', { waitMs: 60_000, pollMs: 20 });
    expect(readLock(stateDir)).toEqual(info);
    kid.send('release');
    await kid.waitFor(/^released$/);
    const lock = await waiting;
    releases.push(lock.release);
    expect(readLock(stateDir)?.pid).toBe(process.pid);
  });

  it('the holder removes its lock when it exits without releasing (exit handler); a killed one leaves it, stale', async () => {
    const [natural, exiting, killed] = await Promise.all(['natural', 'exiting', 'killed'].map((d) => holderWithLock(join(root, d))));
    natural!.kid.proc.stdin!.end(); // event loop drains, process exits normally
    exiting!.kid.send('exit');
    await Promise.all([natural!.kid.exited, exiting!.kid.exited, kill(killed!.kid)]);
    expect(natural!.kid.proc.exitCode).toBe(0);
    expect(readLock(join(root, 'natural'))).toBeUndefined();
    expect(exiting!.kid.proc.exitCode).toBe(3);
    expect(readLock(join(root, 'exiting'))).toBeUndefined();
    expect(readLock(join(root, 'killed'))).toEqual(killed!.info);
    expect((await lockStatus(join(root, 'killed')))?.liveness.verdict).toBe('dead');
  });

  it('of processes racing for the lock, exactly one wins', async () => {
    await raceOfFour(stateDir);
  });
});

describe('unreadable lock files and forceUnlock edge cases', () => {
  it.each<[string, string]>([
    ['empty (crash right after create)', ''],
    ['truncated JSON', '{"id": "7f0c", "pid": 12'],
    ['JSON without a pid', '{"id": "7f0c", "host": "mac.local", "command": "apply", "user": "u", "since": "x"}'],
    ['pid 0 (would signal our own process group)', '{"id": "7f0c", "pid": 0, "host": "h", "command": "apply", "user": "u", "since": "x"}'],
  ])('%s: held by an unknown holder, force-unlock by the digest id shown', async (_name, content) => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(lockPath(stateDir), content);
    const id = `unknown-${createHash('sha256').update(content).digest('hex').slice(0, 8)}`;

    expect(readLock(stateDir)).toMatchObject({ id, pid: 0, host: 'unknown', command: 'unknown' });
    const err = await rejection(acquireLock(stateDir, 'apply', { waitMs: 0 }));
    expect(err.code).toBe('lock.held');
    expect(err.message).toBe(`state is locked by an unknown holder: ${lockPath(stateDir)} is empty or corrupt (lock ID ${id})`);
    expect(err.hint).toContain(`lotusctl force-unlock ${id}`);

    expect((await rejection(forceUnlock(stateDir, 'unknown'))).code).toBe('lock.id-mismatch');
    expect((await forceUnlock(stateDir, id)).removed.id).toBe(id);
    expect(existsSync(lockPath(stateDir))).toBe(false);
  });

  it('refuses to remove a lock whose live holder is this very process', async () => {
    const lock = await acquire(stateDir, 'apply');
    expect((await rejection(forceUnlock(stateDir, lock.info.id))).code).toBe('lock.holder-alive');
  });

  it('removes a lock held on another host (liveness cannot be checked there) when the id matches', async () => {
    mkdirSync(stateDir, { recursive: true });
    const other: LockInfo = { id: 'b5d1', pid: process.pid, host: `not-${hostname()}`, command: 'apply', user: 'u', since: '2026-11-30T09:00:00Z' };
    writeFileSync(lockPath(stateDir), JSON.stringify(other));
    const held = await rejection(acquireLock(stateDir, 'plan', { waitMs: 0 }));
    expect(held.message).toBe(`state is locked by pid ${process.pid} on host not-${hostname()} (lotusctl apply) since 2026-11-30T09:00:00Z (lock ID b5d1); `
      + `lotusctl cannot prove it has ended: it was taken on host not-${hostname()}, whose processes this machine cannot see`);
    expect(held.hint).toBe(`if no lotusctl is running on not-${hostname()}, run: lotusctl force-unlock b5d1`);
    expect((await forceUnlock(stateDir, 'b5d1')).removed).toEqual(other);
    expect(readLock(stateDir)).toBeUndefined();
  });
});

describe('taking over a lock whose holder is proven dead', () => {
  const write = (info: Partial<LockInfo>): LockInfo => {
    mkdirSync(stateDir, { recursive: true });
    const full = { id: 'c0ffee00-0000-4000-8000-000000000001', pid: process.pid, host: hostname(), command: 'apply --auto-approve', user: 'u', since: '2026-11-30T09:00:00Z', ...info } as LockInfo;
    writeFileSync(lockPath(stateDir), JSON.stringify(full));
    return full;
  };

  it('pid reuse: the pid lives, but it is another process (another start time)', async () => {
    const old = write({ start: 'not-this-process', boot: await currentBoot() });
    const lock = await acquire(stateDir, 'apply', { waitMs: 0 });
    expect(lock.tookOver?.message).toBe(`took over the lock of lotusctl apply --auto-approve pid ${process.pid}, which is no longer running (pid ${process.pid} now belongs to another process)`);
    expect(lock.tookOver?.holder).toEqual(old);
  });

  it('a lock from an earlier boot of this machine', async () => {
    write({ start: (await processStart(process.pid))?.token, boot: '00000000-0000-4000-8000-000000000000' });
    const lock = await acquire(stateDir, 'apply', { waitMs: 0 });
    expect(lock.tookOver?.message).toMatch(/which is no longer running \(the machine has restarted since\)$/);
  });

  it('the same boot proves the same machine even when its host name changed (macOS renames hosts per network)', async () => {
    const dead = await holderWithLock(stateDir);
    await kill(dead.kid);
    writeFileSync(lockPath(stateDir), JSON.stringify({ ...dead.info, host: 'old-name.local' }));
    const lock = await acquire(stateDir, 'apply', { waitMs: 0 });
    expect(lock.tookOver?.message).toBe(`took over the lock of lotusctl apply --auto-approve pid ${dead.info.pid}, which is no longer running`);
  });

  it('a lock of an older lotusctl (no start, no boot): taken over when its pid is gone, held while it exists', async () => {
    const gone = await holderWithLock(stateDir);
    await kill(gone.kid);
    const { start: _s, boot: _b, ...legacy } = gone.info;
    writeFileSync(lockPath(stateDir), JSON.stringify(legacy));
    expect((await acquire(stateDir, 'apply', { waitMs: 0 })).tookOver?.message).toMatch(/which is no longer running$/);

    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(lockPath(other), JSON.stringify({ ...legacy, pid: process.pid }));
    const held = await rejection(acquireLock(other, 'apply', { waitMs: 0 }));
    expect(held.hint).toBe(`wait for it to finish; if pid ${process.pid} is not lotusctl (the number was reused), run: lotusctl force-unlock ${legacy.id}`);
  });

  it('of processes racing to take over a dead lock, exactly one wins and its lock is never removed by the others', async () => {
    const dead = await holderWithLock(stateDir);
    await kill(dead.kid);
    await raceOfFour(stateDir);
    expect(readdirSync(stateDir).filter((n) => n !== 'lock.json')).toEqual([]);
  });

  it('a taker that judged a lock dead never removes the lock that replaced it in the meantime', async () => {
    const dead = await holderWithLock(stateDir);
    await kill(dead.kid);
    // Another taker was faster: the dead lock is already replaced by a live one when this taker gets to remove it.
    const live = await acquire(stateDir, 'apply', { waitMs: 0 });
    expect(await breakStaleLock(stateDir, dead.info, await selfRecord())).toBe(false);
    expect(readLock(stateDir)).toEqual(live.info);
    expect(readdirSync(stateDir)).toEqual(['lock.json']);
  });

  it('a takeover interrupted by a crash (its guard left, its creator dead) does not block the next one', async () => {
    const dead = await holderWithLock(stateDir);
    await kill(dead.kid);
    const breaker = await holderWithLock(join(root, 'elsewhere'));
    await kill(breaker.kid);
    const guard = join(stateDir, `lock.json.takeover-${dead.info.id}-0`);
    writeFileSync(guard, JSON.stringify({ pid: breaker.info.pid, host: breaker.info.host, start: breaker.info.start, boot: breaker.info.boot }));
    const lock = await acquire(stateDir, 'apply', { waitMs: 0 });
    expect(lock.tookOver?.holder.id).toBe(dead.info.id);
    expect(readdirSync(stateDir)).toEqual(['lock.json']);
  });

  it('a takeover guard of a live process makes the others wait, never break the lock twice', async () => {
    const dead = await holderWithLock(stateDir);
    await kill(dead.kid);
    const me = { pid: process.pid, host: hostname(), start: (await processStart(process.pid))?.token, boot: await currentBoot() };
    writeFileSync(join(stateDir, `lock.json.takeover-${dead.info.id}-0`), JSON.stringify(me));
    const held = await rejection(acquireLock(stateDir, 'apply', { waitMs: 100, pollMs: 20 }));
    expect(held.code).toBe('lock.held');
    expect(readLock(stateDir)).toEqual(dead.info);
  });
});
