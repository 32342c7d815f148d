// `lotusctl init`: a commented lotus.yaml for this machine, from facts the shell found. Pure. The numbers come from
// the same functions optimize uses, so `init` then `optimize` proposes nothing.
import type { DomainKind } from '../launchd/domain.js';
import { LotusctlError } from '../model/errors.js';
import type { MachineFacts } from '../model/machine.js';
import { LOTUS_OPEN_FILES } from './lint.js';
import { MIN_EXIT_TIMEOUT_S, MIN_THROTTLE_S, proposedMaxMemory, proposedOpenFiles } from './optimize.js';
import { DOMAINS } from './schema.js';
import { formatSize } from './units.js';

export interface FoundProgram {
  /** Absolute path, or null when it was not found (the file then names the bare program). */
  readonly path: string | null;
}

export interface FoundRepo {
  /** As lotus.yaml writes it (`~/.lotus`, or LOTUS_PATH shortened with ~). */
  readonly path: string;
  /** The same, absolute (for env values, which lotusctl does not expand). */
  readonly absolute: string;
  readonly exists: boolean;
  /** Where the path came from: `LOTUS_PATH`, `LOTUS_MINER_PATH` or the default. */
  readonly from: string;
}

export interface InitFacts {
  readonly domain: DomainKind;
  /** Why this domain (the --domain flag, root, an SSH session, or the default). */
  readonly domainReason: string;
  readonly lotus: FoundProgram;
  readonly repo: FoundRepo;
  readonly miner?: { readonly program: FoundProgram; readonly repo: FoundRepo };
  /** For a LaunchDaemon: the user it should run as (SUDO_USER). */
  readonly runAs?: string;
  readonly machine: MachineFacts;
  /** ISO date for the header. */
  readonly today: string;
}

export interface InitResult {
  readonly text: string;
  /** Things the operator must do before apply works (printed as warnings). */
  readonly warnings: readonly string[];
}

const PLAIN = /^[A-Za-z0-9_./~@+-][A-Za-z0-9_./~@+:-]*$/;
/** A YAML scalar: plain when that is unambiguous, else double-quoted (JSON strings are valid YAML). */
function q(s: string): string {
  return PLAIN.test(s) && s !== '~' && !/^(true|false|null|yes|no|on|off|[0-9.+-].*)$/i.test(s) ? s : JSON.stringify(s);
}

const COLUMN = 44;
function line(indent: number, text: string, comment?: string): string {
  const body = `${' '.repeat(indent)}${text}`;
  return comment === undefined ? body : `${body.padEnd(Math.max(COLUMN - 1, body.length))} # ${comment}`;
}

function programLine(indent: number, name: string, p: FoundProgram): string {
  return p.path
    ? line(indent, `program: ${q(p.path)}`, `found ${name} here; lotusctl writes this path into the plist`)
    : line(indent, `program: ${name}`, `NOT FOUND on PATH, /opt/homebrew/bin or /usr/local/bin: install it, plan resolves the name`);
}

/** The domain init writes: --domain, else system for root, user over SSH (no GUI session), else gui. */
export function chooseDomain(flag: string | undefined, who: { uid: number; ssh: boolean }): { domain: DomainKind; reason: string } {
  if (flag !== undefined) {
    if (!(DOMAINS as readonly string[]).includes(flag)) throw new LotusctlError('init.bad-domain', `--domain ${flag}: expected gui, user or system`, { hint: 'gui: a LaunchAgent in your login session; user: works over SSH; system: a LaunchDaemon (root)' });
    return { domain: flag as DomainKind, reason: 'chosen with --domain' };
  }
  if (who.uid === 0) return { domain: 'system', reason: 'run as root: a LaunchDaemon (use --domain to choose)' };
  // Over SSH there is no GUI session and gui/<uid> fails with 125 (specs/launchd-behaviour.md §2).
  if (who.ssh) return { domain: 'user', reason: 'an SSH session has no GUI login: the user domain works without one' };
  return { domain: 'gui', reason: 'a LaunchAgent in your console login session' };
}

/** The lotus.yaml text for these facts, and what the operator still has to do. */
export function initSpecText(f: InitFacts): InitResult {
  const warnings: string[] = [];
  const system = f.domain === 'system';
  const logs = system ? '/Library/Logs/lotus' : '~/Library/Logs/lotus';
  const files = proposedOpenFiles(f.machine.maxFilesPerProc);
  const filesWhy = f.machine.maxFilesPerProc !== undefined ? `Lotus asks for ${LOTUS_OPEN_FILES}; this Mac allows ${f.machine.maxFilesPerProc}` : `Lotus asks for ${LOTUS_OPEN_FILES}; launchd gives jobs 256`;
  const out: string[] = [
    `# lotus.yaml written by \`lotusctl init\` on ${f.today} for this Mac (${f.machine.cpuCores} CPU cores, ${formatSize(f.machine.memoryBytes)} memory).`,
    '# Keep it in git. Every field is documented in specs/lotus-yaml.md.',
    '# Next: lotusctl validate, then lotusctl plan (shows what apply would do), then lotusctl apply.',
    '# If a LaunchAgent of your own already runs lotus, adopt it with `lotusctl import LABEL` instead.',
    'version: 1',
    '',
    'defaults:',
    line(2, `domain: ${f.domain}`, f.domainReason),
    '',
    'services:',
    line(2, 'daemon:', 'the Lotus full node'),
    programLine(4, 'lotus', f.lotus),
    line(4, 'args: [daemon]'),
    line(4, `repo: ${q(f.repo.path)}`, f.repo.exists ? `an existing repo (${f.repo.from}); lotusctl never writes inside it` : `none yet (${f.repo.from}): lotus creates it on first start`),
  ];
  if (system && f.runAs) out.push(line(4, `user: ${q(f.runAs)}`, 'run as you, not root (LaunchDaemons only)'));
  out.push(
    line(4, `logs: { dir: ${q(logs)} }`, 'daemon.out.log and daemon.err.log; launchd discards output otherwise'),
    line(4, 'keep_alive: { successful_exit: false }', 'restart after a crash, not after a clean stop'),
    line(4, `throttle_interval: ${MIN_THROTTLE_S}s`, 'at most one start every 10 s, as Lotus\'s own unit'),
    line(4, `exit_timeout: ${MIN_EXIT_TIMEOUT_S}s`, 'SIGTERM to SIGKILL: Lotus closes its datastores gracefully'),
    line(4, 'process_type: Interactive', 'no CPU/IO throttling: a syncing node must keep up'),
    line(4, 'limits:'),
    line(6, `open_files: { soft: ${files.soft}, hard: ${files.hard} }`, filesWhy),
  );
  if (!f.lotus.path) warnings.push('lotus was not found on PATH, /opt/homebrew/bin or /usr/local/bin; install it before `lotusctl apply` (lotus.yaml names the bare program until then)');

  if (f.miner) {
    const m = f.miner;
    out.push(
      line(2, 'miner:', 'lotus-miner; starts once the daemon is ready'),
      programLine(4, 'lotus-miner', m.program),
      line(4, 'args: [run]'),
      line(4, 'env:'),
      line(6, `LOTUS_MINER_PATH: ${q(m.repo.absolute)}`, m.repo.exists ? `an existing miner repo (${m.repo.from})` : `none yet (${m.repo.from}): run lotus-miner init first`),
      line(6, `LOTUS_PATH: ${q(f.repo.absolute)}`, 'where lotus-miner finds the daemon\'s API and token'),
    );
    if (system && f.runAs) out.push(line(4, `user: ${q(f.runAs)}`));
    out.push(
      line(4, `logs: { dir: ${q(logs)} }`, 'miner.out.log and miner.err.log'),
      line(4, 'keep_alive: { successful_exit: false }'),
      line(4, `throttle_interval: ${MIN_THROTTLE_S}s`),
      line(4, `exit_timeout: ${MIN_EXIT_TIMEOUT_S}s`),
      line(4, 'process_type: Interactive'),
      line(4, 'limits:'),
      line(6, `open_files: { soft: ${files.soft}, hard: ${files.hard} }`),
      line(4, 'depends_on: [daemon]'),
      line(4, 'health: { api: none }', 'judged on launchd state and memory: its API is not a chain node\'s'),
    );
    if (!m.program.path) warnings.push('lotus-miner was not found on PATH, /opt/homebrew/bin or /usr/local/bin; install it before `lotusctl apply`');
    if (!m.repo.exists) warnings.push(`no miner repo at ${m.repo.absolute}: run \`lotus-miner init\` before \`lotusctl apply\`, or lotus-miner exits at start`);
  }

  const memory = proposedMaxMemory(f.machine.memoryBytes);
  out.push(
    '',
    'monitor:',
    line(2, 'schedule: 30s', 'probe every 30 s; restarts an unhealthy node with backoff and a circuit breaker'),
    line(2, `max_memory: ${memory}`, `launchd has no memory limit; this Mac has ${formatSize(f.machine.memoryBytes)}`),
    '  # notify:                                # tell a person when the monitor restarts a service (specs/lotus-yaml.md)',
    '  #   targets:',
    '  #     - macos: {}',
    '',
  );
  return { text: out.join('\n'), warnings };
}
