// What status, logs and doctor share: a valid spec (its problems printed the usual way) and the choice of one service.
import type { DesiredJob } from '../../model/desired.js';
import { LotusctlError } from '../../model/errors.js';
import { didYouMean } from '../../spec/did-you-mean.js';
import { Launchctl } from '../../system/launchctl.js';
import { loadSpec, type LoadedSpec } from '../../system/load-spec.js';
import { resolveLaunchctlBinary } from '../../system/platform.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output.js';
import { reportDiagnostics } from './validate.js';

export type ValidSpec = LoadedSpec & Required<Pick<LoadedSpec, 'spec' | 'desired' | 'host'>>;

/** Loads lotus.yaml; prints its warnings (not with --json) and ends with exit 1 when it has errors. */
export function loadValidSpec(file: string, o: Output, json: boolean): ValidSpec {
  const loaded = loadSpec(file);
  reportDiagnostics(loaded, o, { json });
  if (!loaded.ok || !loaded.spec || !loaded.desired || !loaded.host) {
    if (json) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      throw new LotusctlError('spec.invalid', `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}`, { hint: `run lotusctl validate -f ${file}` });
    }
    throw new ExitCode(1);
  }
  return loaded as ValidSpec;
}

/** The jobs named `service` (a service name or `monitor`), or every job when it is undefined. */
export function selectJobs(loaded: ValidSpec, service: string | undefined): DesiredJob[] {
  const jobs = loaded.desired.jobs;
  if (service === undefined) return [...jobs];
  const found = jobs.filter((j) => j.name === service);
  if (found.length > 0) return found;
  if (service === 'monitor') return [];
  const names = [...jobs.map((j) => j.name), ...(jobs.some((j) => j.kind === 'monitor') ? [] : ['monitor'])];
  const guess = didYouMean(service, names);
  throw new LotusctlError('cli.unknown-service', `${loaded.file} has no service ${JSON.stringify(service)}`, {
    hint: `${guess ? `did you mean ${guess}? ` : ''}services: ${names.join(', ')}`,
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The launchctl adapter (LOTUSCTL_LAUNCHCTL or /bin/launchctl), without loading the plan/apply API. */
export function launchctl(): Launchctl {
  return new Launchctl({ binary: resolveLaunchctlBinary(process.env, process.platform) });
}
