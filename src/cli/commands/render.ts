import { LotusctlError } from '../../model/errors.js';
import type { LoadedSpec } from '../../system/load-spec.js';
import { maskedPlistText } from '../../render/masked-plist.js';
import type { Output } from '../output.js';
import { reportDiagnostics } from './validate.js';

/** Print the plist(s) apply would write. With several jobs, each is preceded by a `# <path>` line. */
export function runRender(loaded: LoadedSpec, o: Output, opts: { service?: string }): number {
  reportDiagnostics(loaded, o);
  const jobs = loaded.desired?.jobs ?? [];
  const chosen = opts.service ? jobs.filter((j) => j.name === opts.service) : jobs;
  if (opts.service && chosen.length === 0) {
    throw new LotusctlError('cli.unknown-service', `no service "${opts.service}" in ${loaded.file}`, { hint: `services: ${jobs.map((j) => j.name).join(', ')}` });
  }
  chosen.forEach((job, i) => {
    if (chosen.length > 1) o.out(`${i > 0 ? '\n' : ''}# ${job.plistPath}`);
    // Secret values are in the bytes apply writes, but never printed.
    o.out(maskedPlistText(job).trimEnd());
  });
  return 0;
}
