import type { DesiredJob, PlistDict } from '../model/desired.js';
import { renderPlist } from '../launchd/plist-render.js';

export const SENSITIVE = '(sensitive)';

/** The job's plist with secret environment values replaced, for printing. */
export function maskedPlist(plist: PlistDict, sensitiveKeys: readonly string[]): PlistDict {
  if (sensitiveKeys.length === 0) return plist;
  const env = { ...(plist.EnvironmentVariables as PlistDict | undefined) };
  for (const k of sensitiveKeys) if (k in env) env[k] = SENSITIVE;
  return { ...plist, EnvironmentVariables: env };
}

export function maskedPlistText(job: Pick<DesiredJob, 'plist' | 'plistText' | 'sensitiveKeys'>): string {
  return job.sensitiveKeys.length === 0 ? job.plistText : renderPlist(maskedPlist(job.plist, job.sensitiveKeys));
}
