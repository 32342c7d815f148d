// Go-compatible text formatting, so the fake prints numbers and durations exactly like the Go binary.

/** Go `time.Duration.String()` for a duration given in nanoseconds (e.g. `16.718371ms`, `2h13m5s`). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Sub-second values use the largest unit that keeps the integer part non-zero.
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fraction(u, 1_000n)}µs`;
    else out = `${fraction(u, 1_000_000n)}ms`;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fraction(u, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, unit: bigint): string {
  const int = v / unit;
  const rest = v % unit;
  if (rest === 0n) return `${int}`;
  const width = unit.toString().length - 1;
  return `${int}.${rest.toString().padStart(width, '0').replace(/0+$/, '')}`;
}

/** Go `time.Duration.String()` for milliseconds truncated to whole seconds (lotus prints `.Truncate(time.Second)`). */
export function formatGoSeconds(ms: number): string {
  return formatGoDuration(BigInt(Math.trunc(ms / 1000)) * 1_000_000_000n);
}

/** Go `strconv.FormatFloat(v, 'g', -1, 64)` as used by the Prometheus text format (`4.863283e+06`). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 21) return goExp(mantissa, exp);
  // Shortest 'g' formatting switches to exponent form at exponent >= 6 (eprec = 6 when shortest).
  if (exp >= 6) return goExp(mantissa, exp);
  return String(v);
}

function goExp(mantissa: string, exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

const FIL_PREFIXES = ['a', 'f', 'p', 'n', 'μ', 'm'];

/** lotus `types.FIL(x).Short()`: attoFIL amount with the largest prefix below 1000 (e.g. `100 aFIL`, `20.592 pFIL`). */
export function formatFilShort(atto: bigint): string {
  const n = atto < 0n ? -atto : atto;
  let dn = 1n;
  let prefix = '';
  for (const p of FIL_PREFIXES) {
    if (n < dn * 1000n) {
      prefix = p;
      break;
    }
    dn *= 1000n;
  }
  if (atto === 0n) return '0';
  // big.Rat.FloatString(3) rounds half away from zero; then trailing zeros and dot are trimmed.
  const scaled = (n * 1000n * 2n + dn) / (dn * 2n);
  const int = scaled / 1000n;
  const frac = (scaled % 1000n).toString().padStart(3, '0');
  const text = `${int}.${frac}`.replace(/0+$/, '').replace(/\.$/, '');
  return `${atto < 0n ? '-' : ''}${text} ${prefix}FIL`;
}

/** Go `time.Time.String()` of a time truncated to seconds, in the local zone: `2026-08-06 10:00:00 +0000 UTC`. */
export function formatGoTime(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  const pad = (x: number): string => String(x).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const offText = `${off >= 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  const zone = off === 0 ? 'UTC' : zoneAbbreviation(d);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${offText} ${zone}`;
}

function zoneAbbreviation(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}
