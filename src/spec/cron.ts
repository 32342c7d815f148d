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
