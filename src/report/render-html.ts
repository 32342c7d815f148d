// The HTML health report: one self-contained file (inline CSS and SVG, no script, nothing fetched), so it can be
// mailed or opened from disk. Service names and reasons come from sample files: every text is escaped, and the
// Content-Security-Policy forbids scripts and remote loads as a second line of defence.
import { humanBytes, humanDuration, incidents, isoSeconds, num, percent } from './format.js';
import { STATUSES, type ReportStatus } from './samples.js';
import type { ServiceSummary, Summary } from './summary.js';

/** Text made inert in HTML element content and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COLORS: Record<ReportStatus, string> = {
  healthy: '#2e7d32', degraded: '#f9a825', unhealthy: '#c62828', starting: '#1565c0', unknown: '#9e9e9e', stopped: '#455a64',
};

const CSS = `body{font:14px/1.4 -apple-system,BlinkMacSystemFont,"Helvetica Neue",Arial,sans-serif;margin:2em;color:#212121}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
.meta{color:#616161}.none{color:#9e9e9e}.legend span{display:inline-block;margin-right:1em}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
ul{margin-top:.3em}li{margin:.2em 0}.kind{font-weight:600}.restart-failed,.breaker-open{color:#c62828}
code{font-family:ui-monospace,Menlo,monospace;font-size:.95em}`;

const f1 = (n: number): string => (Math.round(n * 10) / 10).toFixed(1);

/** A 100×10 stacked bar of the status shares. */
function statusBar(s: ServiceSummary): string {
  let x = 0;
  const rects: string[] = [];
  for (const st of STATUSES) {
    const w = s.statusShare[st] * 100;
    if (w <= 0) continue;
    rects.push(`<rect x="${f1(x)}" y="0" width="${f1(w)}" height="10" fill="${COLORS[st]}"><title>${st} ${percent(s.statusShare[st])}</title></rect>`);
    x += w;
  }
  return `<svg width="100" height="10" viewBox="0 0 100 10" role="img" aria-label="status shares">${rects.join('')}</svg>`;
}

const SPARK_W = 160;
const SPARK_H = 28;
const SPARK_BUCKETS = 80;

/** Chain lag over the window: the worst lag per time bucket, a line broken where no lag was read. */
function lagSparkline(s: ServiceSummary, window: { from: number; to: number }): string {
  if (s.lagSeries.length === 0 || window.to <= window.from) return '<span class="none">–</span>';
  const span = window.to - window.from;
  const buckets: (number | undefined)[] = new Array(SPARK_BUCKETS).fill(undefined);
  for (const p of s.lagSeries) {
    const b = Math.min(SPARK_BUCKETS - 1, Math.max(0, Math.floor(((p.time - window.from) / span) * SPARK_BUCKETS)));
    buckets[b] = Math.max(buckets[b] ?? -Infinity, p.lag);
  }
  const max = Math.max(1, ...buckets.filter((v): v is number => v !== undefined));
  const runs: [string, string][][] = [];
  let run: [string, string][] = [];
  buckets.forEach((v, i) => {
    if (v === undefined) {
      if (run.length > 0) runs.push(run);
      run = [];
      return;
    }
    run.push([f1(((i + 0.5) / SPARK_BUCKETS) * SPARK_W), f1(SPARK_H - 1 - (v / max) * (SPARK_H - 2))]);
  });
  if (run.length > 0) runs.push(run);
  // A lone point gets a dot: a polyline of one point draws nothing.
  const shapes = runs.map((r) => (r.length === 1
    ? `<circle cx="${r[0]?.[0]}" cy="${r[0]?.[1]}" r="1.5" fill="#1565c0"/>`
    : `<polyline points="${r.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="#1565c0" stroke-width="1.5"/>`));
  return `<svg width="${SPARK_W}" height="${SPARK_H}" viewBox="0 0 ${SPARK_W} ${SPARK_H}" role="img" aria-label="chain lag, max ${num(max)} epochs"><title>chain lag in epochs (max ${num(max)})</title>${shapes.join('')}</svg>`;
}

const none = '<span class="none">–</span>';

function row(s: ServiceSummary, window: { from: number; to: number }): string {
  const cells = [
    `<td>${escapeHtml(s.service)}</td>`,
    `<td>${s.samples}</td>`,
    `<td>${percent(s.availability)}<br>${statusBar(s)}</td>`,
    ...STATUSES.map((st) => `<td>${percent(s.statusShare[st])}</td>`),
    `<td>${s.restarts.length}${s.failedRestarts > 0 ? ` (${s.failedRestarts} failed)` : ''}</td>`,
    `<td>${s.lagEpochs ? `${num(s.lagEpochs.min)} / ${num(s.lagEpochs.avg)} / ${num(s.lagEpochs.max)} / ${num(s.lagEpochs.last)}` : none}</td>`,
    `<td>${lagSparkline(s, window)}</td>`,
    `<td>${s.peers ? `${num(s.peers.min)} / ${num(s.peers.avg)} / ${num(s.peers.last)}` : none}</td>`,
    `<td>${s.rssBytes ? `${humanBytes(s.rssBytes.max)} / ${humanBytes(s.rssBytes.last)}` : none}</td>`,
    `<td>${s.longestUnhealthy ? humanDuration(s.longestUnhealthy.durationMs) : none}</td>`,
    `<td>${s.gaps.length}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

function incidentSection(s: ServiceSummary): string[] {
  const l = s.longestUnhealthy;
  const streak = l ? `; longest unhealthy streak ${humanDuration(l.durationMs)}, from ${isoSeconds(l.from)} to ${isoSeconds(l.to)}${l.reasons.length > 0 ? ` (${escapeHtml(l.reasons.join('; '))})` : ''}` : '';
  const out = ['<section>', `<h3>${escapeHtml(s.service)}</h3>`, `<p class="meta">Samples from ${isoSeconds(s.firstSample)} to ${isoSeconds(s.lastSample)}${streak}.</p>`];
  const list = incidents(s);
  if (list.length === 0) out.push('<p>No incidents.</p>');
  else {
    out.push('<ul>');
    for (const i of list) out.push(`<li class="${i.kind}"><code>${isoSeconds(i.time)}</code> <span class="kind">${i.kind}</span>: ${escapeHtml(i.text)}</li>`);
    out.push('</ul>');
  }
  out.push('</section>');
  return out;
}

/** The HTML report; deterministic for equal summaries. */
export function renderHtml(summary: Summary): string {
  const { from, to } = summary.window;
  const title = `Lotus health report ${isoSeconds(to)}`;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<h1>Lotus health report</h1>',
    `<p class="meta">Window: ${isoSeconds(from)} to ${isoSeconds(to)} (${humanDuration(to - from)}). Generated ${isoSeconds(summary.generatedAt)}. ${summary.services.length} service${summary.services.length === 1 ? '' : 's'}.${summary.skippedLines > 0 ? ` Skipped sample lines (unreadable): ${summary.skippedLines}.` : ''}</p>`,
  ];
  if (summary.services.length === 0) {
    out.push('<p>No samples in this window: was the monitor running?</p>', '</body>', '</html>', '');
    return out.join('\n');
  }
  const statusHeads = STATUSES.map((st) => `<th>${st[0]?.toUpperCase()}${st.slice(1)}</th>`);
  out.push(
    '<table>',
    `<thead><tr><th>Service</th><th>Samples</th><th>Availability</th>${statusHeads.join('')}<th>Restarts</th><th>Chain lag<br>min / avg / max / last</th><th>Chain lag over the window</th><th>Peers<br>min / avg / last</th><th>RSS<br>max / last</th><th>Longest unhealthy</th><th>Gaps</th></tr></thead>`,
    '<tbody>',
    ...summary.services.map((s) => row(s, summary.window)),
    '</tbody>',
    '</table>',
    `<p class="legend">${STATUSES.map((st) => `<span><i class="sw" style="background:${COLORS[st]}"></i>${st}</span>`).join('')}</p>`,
    '<p class="meta">Availability is the healthy and degraded share of the observed time; unknown counts against it.</p>',
    '<h2>Incidents</h2>',
    ...summary.services.flatMap(incidentSection),
    '</body>',
    '</html>',
    '',
  );
  return out.join('\n');
}
