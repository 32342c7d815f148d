// `lotusctl doctor` results grouped by service: text for people, JSON (snake_case, format_version) for scripts.
import { doctorExitCode, type CheckLevel, type CheckResult } from '../doctor/checks.js';
import type { Colors } from './colors.js';

/** What `--fix` did for one check. */
export interface FixReport {
  readonly group: string;
  readonly id: string;
  readonly action: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface GroupInfo { readonly group: string; readonly label?: string; readonly domain?: string }

const LEVEL_TEXT: Record<CheckLevel, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' };

function groupsOf(results: readonly CheckResult[], info: readonly GroupInfo[]): Array<{ info: GroupInfo; checks: CheckResult[] }> {
  const order = [...info.map((i) => i.group), ...results.map((r) => r.group)];
  const seen = new Set<string>();
  const out: Array<{ info: GroupInfo; checks: CheckResult[] }> = [];
  for (const g of order) {
    if (seen.has(g)) continue;
    seen.add(g);
    const checks = results.filter((r) => r.group === g);
    if (checks.length > 0) out.push({ info: info.find((i) => i.group === g) ?? { group: g }, checks });
  }
  return out;
}

function summary(results: readonly CheckResult[]): Record<CheckLevel, number> {
  const s: Record<CheckLevel, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) s[r.level]++;
  return s;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderDoctorText(results: readonly CheckResult[], info: readonly GroupInfo[], fixes: readonly FixReport[] | undefined, c: Colors): string {
  const paint: Record<CheckLevel, (s: string) => string> = { ok: c.green, warn: c.yellow, fail: c.red, skip: c.dim };
  const idWidth = Math.max(...results.map((r) => r.id.length), 10);
  const out: string[] = [];
  for (const { info: g, checks } of groupsOf(results, info)) {
    out.push(c.bold(`${g.group}${g.label ? ` (${g.label}${g.domain ? `, ${g.domain}` : ''})` : ''}`));
    for (const r of checks) {
      out.push(`  ${paint[r.level](LEVEL_TEXT[r.level].padEnd(4))}  ${r.id.padEnd(idWidth)}  ${r.message}`);
      const indent = ' '.repeat(10 + idWidth);
      for (const d of r.details ?? []) out.push(`${indent}${c.dim(d)}`);
      if (r.fix && r.level !== 'ok' && r.level !== 'skip') out.push(`${indent}${c.cyan('fix:')} ${r.fix}`);
    }
    out.push('');
  }
  if (fixes !== undefined) {
    if (fixes.length === 0) out.push('--fix: nothing that doctor may repair needed repairing.', '');
    else {
      out.push(c.bold('--fix:'));
      for (const f of fixes) out.push(`  ${f.ok ? c.green('fixed') : c.red('not fixed')}  ${f.group} ${f.id}: ${f.message}`);
      out.push('');
    }
  }
  const s = summary(results);
  const fixable = results.filter((r) => r.autofix && r.level !== 'ok').length;
  const parts = [`${s.ok} ok`, plural(s.warn, 'warning'), plural(s.fail, 'failure'), `${s.skip} skipped`];
  const verdict = `${parts.join(', ')}.${fixable > 0 && fixes === undefined ? ` lotusctl doctor --fix can repair ${fixable} of them.` : ''}`;
  out.push(s.fail > 0 ? c.red(verdict) : s.warn > 0 ? c.yellow(verdict) : c.green(verdict));
  return `${out.join('\n')}\n`;
}

export function doctorJson(results: readonly CheckResult[], info: readonly GroupInfo[], fixes: readonly FixReport[] | undefined, generatedAt: string): Record<string, unknown> {
  const code = doctorExitCode(results);
  return {
    format_version: '1',
    generated_at: generatedAt,
    ok: code === 0,
    exit_code: code,
    summary: summary(results),
    groups: groupsOf(results, info).map(({ info: g, checks }) => ({
      group: g.group,
      label: g.label ?? null,
      domain: g.domain ?? null,
      checks: checks.map((r) => ({
        id: r.id, level: r.level, message: r.message, fix: r.fix ?? null, details: r.details ?? [],
        fixable: r.autofix !== undefined && r.level !== 'ok',
      })),
    })),
    fixes: fixes === undefined ? null : fixes.map((f) => ({ group: f.group, check: f.id, action: f.action, ok: f.ok, message: f.message })),
  };
}
