// A cron expression check without node-cron (the core may not import it): 5 fields, or 6 with seconds first.

const FIELD_RANGES_5: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

function value(token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  return NAMES[token.toLowerCase()];
}

function fieldOk(field: string, [lo, hi]: [number, number]): boolean {
  return field.split(',').every((part) => {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || range === undefined || range === '') return false;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
    if (range === '*') return true;
    const [a, b, ...more] = range.split('-');
    if (more.length > 0 || a === undefined) return false;
    const va = value(a);
    const vb = b === undefined ? va : value(b);
    return va !== undefined && vb !== undefined && va >= lo && vb <= hi && va <= vb;
  });
}

/** An explanation of what is wrong with a cron expression, or undefined when it is valid. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return `a cron expression has 5 fields (minute hour day month weekday), this has ${fields.length}`;
  const ranges: Array<[number, number]> = fields.length === 6 ? [[0, 59], ...FIELD_RANGES_5] : FIELD_RANGES_5;
  const names = fields.length === 6 ? ['second', 'minute', 'hour', 'day', 'month', 'weekday'] : ['minute', 'hour', 'day', 'month', 'weekday'];
  for (let i = 0; i < fields.length; i++) {
    if (!fieldOk(fields[i] as string, ranges[i] as [number, number])) return `the ${names[i]} field "${fields[i]}" is not valid (range ${ranges[i]?.[0]}-${ranges[i]?.[1]})`;
  }
  return undefined;
}

function fieldValues(field: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let a = lo;
    let b = hi;
    if (range !== '*') {
      const [x = '', y] = range.split('-');
      a = value(x) ?? lo;
      b = y === undefined ? (stepText === undefined ? a : hi) : (value(y) ?? hi);
    }
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

/**
 * The longest wait between two consecutive runs of a (valid) cron expression over the 8 days after `fromMs`, in
 * local time as node-cron runs it, at minute granularity (a seconds field only makes runs more frequent).
 * Day-of-month and weekday both restricted match either, as in Vixie cron. 8 days when it runs less than twice.
 */
export function cronMaxGapMs(expr: string, fromMs: number): number {
  const all = expr.trim().split(/\s+/);
  const f = all.length === 6 ? all.slice(1) : all;
  const [min, hour, dom, mon, dow] = f.map((x, i) => fieldValues(x, FIELD_RANGES_5[i] as [number, number])) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.has(7)) dow.add(0);
  const domAny = f[2] === '*';
  const dowAny = f[4] === '*';
  const MIN = 60_000;
  const horizon = 8 * 1440;
  const start = Math.floor(fromMs / MIN) * MIN;
  let prev: number | undefined;
  let gap = 0;
  for (let i = 0; i <= horizon; i++) {
    const t = start + i * MIN;
    const d = new Date(t);
    if (!min.has(d.getMinutes()) || !hour.has(d.getHours()) || !mon.has(d.getMonth() + 1)) continue;
    const dayOk = domAny || dowAny ? dom.has(d.getDate()) && dow.has(d.getDay()) : dom.has(d.getDate()) || dow.has(d.getDay());
    if (!dayOk) continue;
    if (prev !== undefined) gap = Math.max(gap, t - prev);
    prev = t;
  }
  return gap > 0 ? gap : horizon * MIN;
}
