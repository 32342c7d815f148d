import { restartService } from '../../apply/restart.js';
import type { Output } from '../output.js';
import { launchctl, loadValidSpec } from './ops-common.js';

/** The version of `restart --json`'s event lines (`progress`, then `restarted`). */
const RESTART_JSON_FORMAT_VERSION = '1';

export interface RestartFlags {
  file: string;
  json?: boolean;
}

/** `lotusctl restart SERVICE`: kickstart -k under the state lock, then apply's readiness checks; says what it did. */
export async function runRestart(service: string, flags: RestartFlags, o: Output): Promise<number> {
  const loaded = loadValidSpec(flags.file, o, Boolean(flags.json));
  const event = (type: string, fields: Record<string, unknown>) => o.out(JSON.stringify({ type, format_version: RESTART_JSON_FORMAT_VERSION, service, ...fields, time: new Date().toISOString() }));
  const r = await restartService(loaded.desired, service, {
    launchctl: launchctl(),
    command: `lotusctl restart ${service}`,
    progress: (message) => (flags.json ? event('progress', { message }) : o.out(`${service}: ${message}`)),
  });
  if (flags.json) {
    event('restarted', { label: r.label, domain: r.domain, old_pid: r.oldPid ?? null, pid: r.pid, up_seconds: r.upSeconds, api_checked: r.apiChecked, notes: r.notes });
  } else {
    for (const n of r.notes) o.out(o.colors.yellow(`note: ${n}`));
    const from = r.oldPid !== undefined ? `pid ${r.oldPid} -> ${r.pid}` : `now pid ${r.pid}`;
    o.out(o.colors.green(o.colors.bold(`\nRestarted ${service} (${r.domain}/${r.label}): ${from}; it stayed up for ${r.upSeconds}s${r.apiChecked ? ' and its API answers' : ''}.`)));
  }
  return 0;
}
