import { assertNever, changeCount, type Action, type Change, type JobView, type Plan, type PlanSummary, type PlistView, type RecordView } from '../model/plan.js';
import type { Colors } from './colors.js';
import { driftSection, leftoverSection, printable } from './drift-text.js';
import { applyHasWork } from '../plan/recovery.js';
import { diffFields, diffPlistBody, fieldName, formatValue, type BodyLine, type FieldDiff, type FieldStatus } from './plan-diff.js';
import { envSensitivity, isPlistView, maskPlistText, scrubText, secretValues, SENSITIVE_VALUE, type EnvSensitivity } from './plan-secrets.js';

export { renderDriftText } from './drift-text.js';

export const PLAN_HEADING = 'lotusctl will perform the following actions:';
export const NO_CHANGES = 'No changes. Your Mac matches lotus.yaml.';
export const NO_CHANGES_DESTROY = 'No changes. No objects need to be destroyed.';
export const NO_CHANGES_WITH_DRIFT = 'No changes. Apply would not change anything, but look at the drift above.';
export const NO_CHANGES_BUT_UNFINISHED = 'No changes to the jobs. Apply would only clean up what earlier lotusctl runs left (above).';

// An array longer than this on one line is shown one element per line.
const INLINE_MAX = 72;

const ACTION_SYMBOL: Record<Exclude<Action, 'no-op'>, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };

function actionSymbol(a: Exclude<Action, 'no-op'>, c: Colors): string {
  const s = ACTION_SYMBOL[a].padStart(3);
  switch (a) {
    case 'create': return c.green(s);
    case 'update': return c.yellow(s);
    case 'replace': return c.red(s);
    case 'delete': return c.red(s);
    default: return assertNever(a);
  }
}

function headline(ch: Change & { action: Exclude<Action, 'no-op'> }): string {
  // Terraform's verbs, in launchd's terms where a job or state.json's record is concerned.
  const what = ((a) => {
    switch (a) {
      case 'create': return ch.resource === 'job' ? 'will be loaded' : ch.resource === 'record' ? 'will be recorded in state.json' : 'will be created';
      case 'update': return ch.resource === 'record' ? 'will be updated in state.json' : 'will be updated in-place';
      case 'replace': return 'must be replaced';
      case 'delete': return ch.resource === 'job' ? 'will be booted out' : ch.resource === 'record' ? 'will be dropped from state.json' : ch.resource === 'plist' ? 'will be removed' : 'will be destroyed';
      default: return assertNever(a);
    }
  })(ch.action);
  const reason = ch.reason.trim() === '' ? '' : ` (${ch.reason.trim().replace(/^\((.*)\)$/, '$1')})`;
  return printable(`  # ${ch.address} ${what}${reason}`);
}

function fieldSymbol(s: FieldStatus, c: Colors): string {
  switch (s) {
    case 'added': return c.green('+');
    case 'removed': return c.red('-');
    case 'changed': return c.yellow('~');
    case 'unchanged': return ' ';
    default: return assertNever(s);
  }
}

const elementSymbol = (op: ' ' | '+' | '-', c: Colors) => (op === '+' ? c.green('+') : op === '-' ? c.red('-') : ' ');

interface FieldOptions {
  /** Fields shown even when unchanged (identity, or a resource with few fields). */
  readonly alwaysShow?: (f: FieldDiff) => boolean;
}

const pad = (level: number) => ' '.repeat(2 + 4 * level);
const closePad = (level: number) => ' '.repeat(4 + 4 * level);
const fmt = (f: FieldDiff, v: unknown) => printable(formatValue(f.path, v));

/** The value of an added, removed or unchanged field (one side only). */
const oneSide = (f: FieldDiff) => (f.status === 'removed' ? f.before : f.after);

/** True when the field takes more than one line, which breaks `=` alignment (as in Terraform). */
function isBlock(f: FieldDiff): boolean {
  if (f.sensitive) return false;
  if (f.children) return f.children.length > 0;
  if (f.elements) return true;
  const v = oneSide(f);
  return f.status !== 'changed' && Array.isArray(v) && fmt(f, v).length > INLINE_MAX;
}

function fieldLines(f: FieldDiff, level: number, width: number, c: Colors): string[] {
  const head = `${pad(level)}${fieldSymbol(f.status, c)} ${printable(fieldName(f.name)).padEnd(width)} = `;
  if (f.sensitive) return [`${head}${SENSITIVE_VALUE} (${f.sensitive})`];
  if (f.children && f.children.length > 0) return [`${head}{`, ...fieldsLines(f.children, level + 1, c), `${closePad(level)}}`];
  if (f.children) return [`${head}{}`];
  if (f.elements) {
    return [`${head}[`, ...f.elements.map((e) => `${pad(level + 1)}${elementSymbol(e.op, c)} ${fmt(f, e.value)},`), `${closePad(level)}]`];
  }
  if (f.status === 'changed') return [`${head}${fmt(f, f.before)} -> ${fmt(f, f.after)}`];
  const v = oneSide(f);
  if (Array.isArray(v) && isBlock(f)) {
    const sym = f.status === 'unchanged' ? ' ' : fieldSymbol(f.status, c);
    return [`${head}[`, ...v.map((x) => `${pad(level + 1)}${sym} ${fmt(f, x)},`), `${closePad(level)}]`];
  }
  return [`${head}${fmt(f, v)}`];
}

/** Fields of one block: changes shown, unchanged ones counted; `=` aligned across runs of one-line fields. */
function fieldsLines(fields: readonly FieldDiff[], level: number, c: Colors, opts: FieldOptions = {}): string[] {
  const visible = fields.filter((f) => f.status !== 'unchanged' || f.sensitive !== undefined || opts.alwaysShow?.(f) === true);
  const hidden = fields.length - visible.length;
  const out: string[] = [];
  let run: FieldDiff[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((f) => printable(fieldName(f.name)).length));
    for (const f of run) out.push(...fieldLines(f, level, width, c));
    run = [];
  };
  for (const f of visible) {
    if (isBlock(f)) {
      flush();
      out.push(...fieldLines(f, level, 0, c));
    } else run.push(f);
  }
  flush();
  if (hidden > 0) out.push(`${closePad(level)}${c.dim(`# (${hidden} unchanged field${hidden === 1 ? '' : 's'} hidden)`)}`);
  return out;
}

function bodyLines(lines: readonly BodyLine[], c: Colors): string[] {
  const at = closePad(1);
  return lines.map((l) => {
    const t = printable(l.text);
    switch (l.kind) {
      case 'header': return at + c.bold(t);
      case 'hunk': return at + c.cyan(t);
      case '+': return at + c.green(t);
      case '-': return at + c.red(t);
      case ' ':
      case '\\': return at + t;
      default: return assertNever(l.kind);
    }
  });
}

const isJobView = (v: Change['before']): v is JobView => v !== null && typeof v === 'object' && 'loaded' in v;
const isRecordView = (v: Change['before']): v is RecordView => v !== null && typeof v === 'object' && 'owner' in v && 'state' in v;
const pathOf = (v: Change['before']): string | undefined => (v !== null && typeof v === 'object' && 'path' in v && typeof v.path === 'string' ? v.path : undefined);

function pseudoField(name: string, b: string | undefined, a: string | undefined): FieldDiff {
  const status: FieldStatus = b === undefined ? 'added' : a === undefined ? 'removed' : b === a ? 'unchanged' : 'changed';
  return { name, path: [`#${name}`], status, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) };
}

function plistBlock(ch: Change, env: EnvSensitivity, c: Colors): string[] {
  const b = isPlistView(ch.before) ? ch.before : undefined;
  const a = isPlistView(ch.after) ? ch.after : undefined;
  const fields = [pseudoField('path', b?.path, a?.path), pseudoField('mode', b?.mode, a?.mode), ...diffFields(b?.keys, a?.keys, env)];
  const lines = fieldsLines(fields, 1, c, { alwaysShow: (f) => f.path[0] === '#path' });
  if (b && a) lines.push(...plistBodyLines(b, a, ch, env, c));
  return lines;
}

function plistBodyLines(b: PlistView, a: PlistView, ch: Change, env: EnvSensitivity, c: Colors): string[] {
  const body = diffPlistBody(b.path, maskPlistText(b.text, env.isSensitive), a.path, maskPlistText(a.text, env.isSensitive));
  if (body.length > 0) return ['', ...bodyLines(body, c)];
  const secretMoved = Object.values(ch.sensitive ?? {}).some((s) => s !== 'unchanged');
  return secretMoved ? [`${closePad(1)}${c.dim('# (the plist text differs only in sensitive values)')}`] : [];
}

function jobBlock(ch: Change, c: Colors): string[] {
  const b = isJobView(ch.before) ? ch.before : undefined;
  const a = isJobView(ch.after) ? ch.after : undefined;
  const fields = (['loaded', 'enabled', 'running'] as const).map((k): FieldDiff => {
    const status: FieldStatus = !b ? 'added' : !a ? 'removed' : b[k] === a[k] ? 'unchanged' : 'changed';
    return { name: k, path: [`#${k}`], status, ...(b ? { before: b[k] } : {}), ...(a ? { after: a[k] } : {}) };
  });
  // Three fields only: show them all, so a replace with equal values still reads clearly.
  return fieldsLines(fields, 1, c, { alwaysShow: () => true });
}

function recordBlock(ch: Change, c: Colors): string[] {
  const b = isRecordView(ch.before) ? ch.before : undefined;
  const a = isRecordView(ch.after) ? ch.after : undefined;
  const fields = (['label', 'domain', 'state', 'owner'] as const).map((k) => pseudoField(k, b?.[k], a?.[k]));
  return fieldsLines(fields, 1, c, { alwaysShow: () => true });
}

function changeLines(plan: Plan, ch: Change & { action: Exclude<Action, 'no-op'> }, c: Colors): string[] {
  const sym = actionSymbol(ch.action, c);
  const head = [c.bold(headline(ch))];
  const name = printable(JSON.stringify(ch.service));
  switch (ch.resource) {
    case 'directory':
      return [...head, `${sym} directory ${printable(pathOf(ch.after) ?? pathOf(ch.before) ?? '?')}`];
    case 'plist':
      return [...head, `${sym} plist ${name} {`, ...plistBlock(ch, envSensitivity(ch, plan.steps), c), `${closePad(0)}}`];
    case 'job':
      return [...head, `${sym} job ${name} {`, ...jobBlock(ch, c), `${closePad(0)}}`];
    case 'record':
      return [...head, `${sym} record ${name} {`, ...recordBlock(ch, c), `${closePad(0)}}`];
    default:
      return assertNever(ch.resource);
  }
}

function legend(actions: ReadonlySet<Action>, c: Colors): string[] {
  const rows: [Exclude<Action, 'no-op'>, string][] = [
    ['create', 'create'], ['update', 'update in-place'], ['replace', 'replace: bootout, then bootstrap again'], ['delete', 'destroy'],
  ];
  return ['Resource actions are indicated with the following symbols:', ...rows.filter(([a]) => actions.has(a)).map(([a, t]) => `${actionSymbol(a, c)} ${t}`)];
}

/** Each changed resource counted once: a replace is neither an add nor a destroy. The same numbers as --json's summary. */
export function summaryLine(s: PlanSummary, c: Colors): string {
  return `${c.bold('Plan:')} ${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`;
}

const isChange = (ch: Change): ch is Change & { action: Exclude<Action, 'no-op'> } => ch.action !== 'no-op';

/**
 * `lotusctl plan` for people, Terraform style: drift first, then a legend, one block per changed resource
 * (no-op resources hidden) and the summary line. Pure: colours come in as `c`. Secret values never appear:
 * sensitive environment variables are shown as `(sensitive value)`, and any clear copy the steps carry is scrubbed.
 */
export function renderPlanText(plan: Plan, c: Colors): string {
  const out: string[] = [];
  const found = leftoverSection(plan.leftovers, c);
  if (found.length > 0) out.push(...found, '');
  const drift = driftSection(plan.drift, c);
  if (drift.length > 0) out.push(...drift, '');
  const changes = plan.changes.filter(isChange);
  if (changeCount(plan.summary) === 0) {
    out.push(c.bold(applyHasWork(plan) ? NO_CHANGES_BUT_UNFINISHED
      : drift.length > 0 ? NO_CHANGES_WITH_DRIFT : plan.mode === 'destroy' ? NO_CHANGES_DESTROY : NO_CHANGES));
  } else {
    out.push(...legend(new Set(changes.map((ch) => ch.action)), c), '', c.bold(PLAN_HEADING), '');
    for (const ch of changes) out.push(...changeLines(plan, ch, c), '');
    out.push(summaryLine(plan.summary, c));
  }
  return scrubText(`${out.join('\n')}\n`, secretValues(plan));
}
