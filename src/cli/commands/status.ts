import { LotusctlError } from '../../model/errors.js';
import { gatherStatusFacts } from '../../observe/status-facts.js';
import { renderStatusText, statusJson } from '../../render/status-text.js';
import { MAX_INTERVAL_MS } from '../../spec/bounds.js';
import { parseDuration } from '../../spec/units.js';
import { statusView, type StatusView } from '../../status/status.js';
import { interrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import { launchctl, loadValidSpec, pause, selectJobs } from './ops-common.js';

export interface StatusFlags { file: string; json?: boolean; watch?: boolean; interval?: string }

// Short: status must answer quickly even when the node's API hangs.
const PROBE_TIMEOUT_MS = 1500;

/** `lotusctl status [SERVICE]`: exit 0 when every job is as desired and healthy, 2 otherwise; --watch repeats until Ctrl-C (then 0). */
export async function runStatus(service: string | undefined, flags: StatusFlags, o: Output, signal?: AbortSignal): Promise<number> {
  const json = Boolean(flags.json);
  const intervalMs = flags.interval === undefined ? 2000 : parseDuration(flags.interval);
  // At most 24d: a longer timer would fire at once (Node timers hold 2^31-1 ms) and poll launchd in a busy loop.
  if (intervalMs === undefined || intervalMs < 500 || intervalMs > MAX_INTERVAL_MS) {
    throw new LotusctlError('cli.bad-interval', `--interval ${flags.interval} is not a duration between 500ms and 24d`, { hint: 'use e.g. --interval 2s' });
  }
  const once = async (): Promise<StatusView> => {
    // Re-read every round: lotus.yaml may change while watching.
    const loaded = loadValidSpec(flags.file, o, json);
    const jobs = selectJobs(loaded, service);
    const facts = await gatherStatusFacts(loaded.spec, loaded.desired, jobs, launchctl(), {
      now: () => Date.now(), timeoutMs: PROBE_TIMEOUT_MS, monitorRow: service === undefined || service === 'monitor',
    });
    return statusView(facts);
  };
  if (!flags.watch) {
    const v = await once();
    o.out(json ? JSON.stringify(statusJson(v), null, 2) : renderStatusText(v, o.colors).trimEnd());
    return v.ok ? 0 : 2;
  }
  // Ctrl-C ends the watch normally (exit 0) instead of killing the process.
  interrupt.quiet = true;
  let first = true;
  while (!signal?.aborted) {
    const v = await once();
    if (signal?.aborted) break;
    if (json) o.out(JSON.stringify(statusJson(v)));
    else if (o.isTTY) o.out(`\u001b[H\u001b[2J${o.colors.dim(`lotusctl status, every ${flags.interval ?? '2s'} (Ctrl-C to stop) · ${new Date(v.now).toLocaleTimeString()}`)}\n\n${renderStatusText(v, o.colors).trimEnd()}`);
    else o.out(`${first ? '' : '\n'}--- ${new Date(v.now).toISOString()}\n${renderStatusText(v, o.colors).trimEnd()}`);
    first = false;
    await pause(intervalMs, signal);
  }
  return 0;
}
