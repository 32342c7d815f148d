// The Markdown health report: title, window, one table row per service, then each service's incidents.
import { humanBytes, humanDuration, incidents, isoSeconds, num, percent } from './format.js';
import { STATUSES } from './samples.js';
import type { ServiceSummary, Summary } from './summary.js';

/** Text from samples (user data) made inert in Markdown: one line, no table breaks, no markup, no raw HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

const NONE = '–';

function row(s: ServiceSummary): string {
  const lag = s.lagEpochs ? `${num(s.lagEpochs.min)} / ${num(s.lagEpochs.avg)} / ${num(s.lagEpochs.max)} / ${num(s.lagEpochs.last)}` : NONE;
  const peers = s.peers ? `${num(s.peers.min)} / ${num(s.peers.avg)} / ${num(s.peers.last)}` : NONE;
  const rss = s.rssBytes ? `${humanBytes(s.rssBytes.max)} / ${humanBytes(s.rssBytes.last)}` : NONE;
  const restarts = s.failedRestarts > 0 ? `${s.restarts.length} (${s.failedRestarts} failed)` : String(s.restarts.length);
  const cells = [
    escapeMarkdown(s.service),
    String(s.samples),
    percent(s.availability),
    ...STATUSES.map((st) => percent(s.statusShare[st])),
    restarts,
    lag,
    peers,
    rss,
    s.longestUnhealthy ? humanDuration(s.longestUnhealthy.durationMs) : NONE,
    String(s.gaps.length),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The Markdown report; deterministic for equal summaries. */
export function renderMarkdown(summary: Summary): string {
  const { from, to } = summary.window;
  const out: string[] = [
    '# Lotus health report',
    '',
    `- Window: ${isoSeconds(from)} to ${isoSeconds(to)} (${humanDuration(to - from)})`,
    `- Generated: ${isoSeconds(summary.generatedAt)}`,
    `- Services: ${summary.services.length}`,
  ];
  if (summary.skippedLines > 0) out.push(`- Skipped sample lines (unreadable): ${summary.skippedLines}`);
  out.push('');
  if (summary.services.length === 0) {
    out.push('No samples in this window: was the monitor running?', '');
    return out.join('\n');
  }
  const statusHeads = STATUSES.map((st) => st[0]?.toUpperCase() + st.slice(1));
  const heads = ['Service', 'Samples', 'Availability', ...statusHeads, 'Restarts', 'Chain lag min / avg / max / last', 'Peers min / avg / last', 'RSS max / last', 'Longest unhealthy', 'Gaps'];
  out.push(`| ${heads.join(' | ')} |`, `|${heads.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const s of summary.services) out.push(row(s));
  out.push('', 'Availability is the healthy and degraded share of the observed time; unknown counts against it.', '', '## Incidents', '');
  for (const s of summary.services) {
    out.push(`### ${escapeMarkdown(s.service)}`, '');
    const l = s.longestUnhealthy;
    const streak = l ? `; longest unhealthy streak ${humanDuration(l.durationMs)}, from ${isoSeconds(l.from)} to ${isoSeconds(l.to)}${l.reasons.length > 0 ? ` (${escapeMarkdown(l.reasons.join('; '))})` : ''}` : '';
    out.push(`Samples from ${isoSeconds(s.firstSample)} to ${isoSeconds(s.lastSample)}${streak}.`, '');
    const list = incidents(s);
    if (list.length === 0) out.push('No incidents.');
    for (const i of list) out.push(`- ${isoSeconds(i.time)} **${i.kind}**: ${escapeMarkdown(i.text)}`);
    out.push('');
  }
  return out.join('\n');
}
