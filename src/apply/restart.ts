import { domainTarget } from '../launchd/domain.js';
import { limitsInEffectDiffer, loadedDifferences } from '../launchd/loaded-definition.js';
import type { DesiredState } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';
import { owns } from '../plan/ownership.js';
import type { Launchctl } from '../system/launchctl.js';
import { acquireLock } from '../system/lock.js';
import { readManifest } from '../system/manifest.js';
import { realClock, waitReady, type Clock } from './readiness.js';

export interface RestartOptions {
  readonly launchctl: Launchctl;
  readonly clock?: Clock;
  /** Each step, in words, as it happens. */
  readonly progress?: (message: string) => void;
  /** The command line, recorded in the lock. */
  readonly command?: string;
  readonly lockWaitMs?: number;
}

export interface RestartResult {
  readonly service: string;
  readonly label: string;
  /** `gui/501` … */
  readonly domain: string;
  /** The pid before the restart; absent when the job was loaded but not running. */
  readonly oldPid?: number;
  readonly pid: number;
  /** Seconds the new process was watched staying up (the throttle interval). */
  readonly upSeconds: number;
  /** True when the readiness check also waited for the Lotus API to answer. */
  readonly apiChecked: boolean;
  /** Things the user should know (a loaded definition that differs from its plist: a restart does not re-read it). */
  readonly notes: readonly string[];
}

/**
 * `lotusctl restart SERVICE`: a graceful restart of an applied, running service with `launchctl kickstart -k`
 * (SIGTERM, then SIGKILL after ExitTimeOut, then a new instance: specs/launchd-behaviour.md §3), under the state
 * lock, followed by the same readiness checks as apply. The plist is not re-read: a definition that changed needs
 * `apply` (or `apply --replace`), and the result says so.
 */
export async function restartService(desired: DesiredState, name: string, opts: RestartOptions): Promise<RestartResult> {
  const job = desired.jobs.find((j) => j.name === name);
  if (!job) {
    throw new LotusctlError('restart.unknown-service', `no service named "${name}"`, { hint: `services: ${desired.jobs.map((j) => j.name).join(', ')}` });
  }
  const progress = opts.progress ?? (() => undefined);
  const clock = opts.clock ?? realClock;
  const lock = await acquireLock(desired.stateDir, opts.command ?? `lotusctl restart ${name}`, opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {});
  try {
    if (lock.tookOver) progress(lock.tookOver.message);
    const record = readManifest(desired.stateDir).jobs[job.label];
    const mine = record !== undefined && (record.owner === undefined || owns(desired.owner, record));
    if (!record || !mine || record.state !== 'running') {
      const why = !record ? 'it was never applied here' : !mine ? 'another spec manages it' : 'its applied state is stopped';
      throw new LotusctlError('restart.not-running', `cannot restart ${name} (${job.label}): ${why}`, {
        hint: record && !mine ? 'restart it with that spec (-f)' : 'run lotusctl apply to start it',
      });
    }
    const where = `${domainTarget(record.domain)}/${record.label}`;
    const printed = await opts.launchctl.print(record.domain, record.label);
    if (!printed) {
      throw new LotusctlError('restart.not-loaded', `cannot restart ${name}: ${where} is not loaded`, { hint: 'run lotusctl apply to load it again (lotusctl plan shows the drift)' });
    }
    const notes: string[] = [];
    const def = printed.parsed;
    const differs = [...loadedDifferences(job.plist, def, { plistPath: record.plistPath, system: record.domain.kind === 'system' }), ...limitsInEffectDiffer(job.plist, def.resourceLimits)];
    if (differs.length > 0) {
      notes.push(`the loaded job differs from lotus.yaml (${differs.join('; ')}); a restart does not re-read the plist: run lotusctl apply (or apply --replace ${name}) to load it`);
    }
    const oldPid = def.pid;
    progress(oldPid !== undefined ? `stopping pid ${oldPid} and starting it again (launchctl kickstart -k ${where})` : `starting it (launchctl kickstart -k ${where}); it was loaded but not running`);
    await opts.launchctl.kickstart(record.domain, record.label, { kill: true });
    const readiness = {
      throttleSeconds: job.throttleSeconds,
      ...(job.stderrPath ? { stderrPath: job.stderrPath } : {}),
      ...(job.repo ? { repo: job.repo } : {}),
      ...(job.health && job.health.api !== 'none' ? { api: job.health.api, startupGraceMs: job.health.startupGraceMs } : {}),
    };
    const pid = await waitReady({ service: name, label: record.label, domain: record.domain, readiness }, opts.launchctl, clock, progress, {
      runsBefore: def.runs ?? 0, ...(oldPid !== undefined ? { notPid: oldPid } : {}),
    });
    return {
      service: name, label: record.label, domain: domainTarget(record.domain), ...(oldPid !== undefined ? { oldPid } : {}), pid,
      upSeconds: job.throttleSeconds, apiChecked: readiness.api !== undefined, notes,
    };
  } finally {
    await lock.release();
  }
}
