import { LotusctlError } from '../../model/errors.js';
import { REPORT_FORMATS, renderMarkdown, reportSettings, type ReportFormat } from '../../report/index.js';
import { MAX_REPORT_WINDOW_MS } from '../../spec/bounds.js';
import { formatDuration, parseDuration } from '../../spec/units.js';
import { buildHealthSummary, writeHealthReport } from '../../system/report-files.js';
import { loadSpec } from '../../system/load-spec.js';
import type { Output } from '../output.js';
import { reportDiagnostics } from './validate.js';

export interface ReportFlags { file: string; window: string; format?: string[]; dir?: string; print?: boolean }

/** `lotusctl report`: summarize the monitor's samples over a window into json/md/html files (or print markdown). */
export async function runReport(flags: ReportFlags, o: Output): Promise<number> {
  const loaded = loadSpec(flags.file);
  reportDiagnostics(loaded, o);
  const windowMs = parseDuration(flags.window);
  if (windowMs === undefined || windowMs <= 0) {
    throw new LotusctlError('cli.bad-window', `--window ${flags.window} is not a duration`, { hint: 'use e.g. --window 24h or --window 7d' });
  }
  if (!(windowMs <= MAX_REPORT_WINDOW_MS)) {
    throw new LotusctlError('cli.bad-window', `--window ${flags.window} is longer than ${formatDuration(MAX_REPORT_WINDOW_MS)} (ten years)`, { hint: 'use e.g. --window 30d' });
  }
  const formats = (flags.format ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  const bad = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length > 0) throw new LotusctlError('cli.bad-format', `unknown report format ${bad.join(', ')}`, { hint: `formats: ${REPORT_FORMATS.join(', ')}` });
  const settings = reportSettings(loaded.spec!, loaded.host!);
  const stateDir = loaded.desired!.stateDir;
  const now = new Date();
  if (flags.print) {
    o.out(renderMarkdown(await buildHealthSummary({ stateDir, now, windowMs })).trimEnd());
    return 0;
  }
  const paths = await writeHealthReport({
    stateDir, dir: flags.dir ?? settings.dir, formats: formats.length > 0 ? (formats as ReportFormat[]) : settings.formats, now, windowMs,
  });
  for (const p of paths) o.out(p);
  return 0;
}
