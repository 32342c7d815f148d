// Alerts, the I/O: one attempt to deliver one event to one target (webhook, macOS notification, command).
// A webhook URL carries its token: it is read from its file for each attempt and appears in no message this returns.
import { execa } from 'execa';
import { isLotusctlError } from '../model/errors.js';
import type { ResolvedTarget } from '../monitor/notify-config.js';
import type { NotifyEvent } from '../monitor/notify-events.js';
import { eventJson, title, webhookRequest } from '../monitor/notify-format.js';
import { showMacNotification } from './macos-notification.js';
import { FileReadError, readFileCapped } from './read-file.js';

export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly permanent: boolean };

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** Replaces the secret (and its path and query, each of which may hold the token) in `text`. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text.split(secret).join('***');
  try {
    const u = new URL(secret);
    for (const part of [u.pathname, u.search, u.username, u.password, ...u.pathname.split('/')]) if (part.length >= 6) out = out.split(part).join('***');
  } catch {
    // not a URL: the whole text was replaced above
  }
  return out;
}

function causeCode(e: unknown): string | undefined {
  const c = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof c === 'string' ? c : undefined;
}

async function webhook(t: Extract<ResolvedTarget['config'], { kind: 'webhook' }>, e: NotifyEvent): Promise<SendResult> {
  let raw: string;
  try {
    // The capped reader: a FIFO or device in place of the file must not hang the monitor.
    raw = readFileCapped(t.urlFile, 'secret').toString('utf8').trim();
  } catch (err) {
    const why = err instanceof FileReadError ? err.problem === 'missing' ? 'ENOENT' : err.problem : ((err as NodeJS.ErrnoException).code ?? 'error');
    return { ok: false, permanent: false, error: `cannot read the URL file ${t.urlFile} (${why})` };
  }
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
  } catch {
    return { ok: false, permanent: false, error: `${t.urlFile} does not hold an http(s) URL` };
  }
  const req = webhookRequest(t.format, url, e);
  try {
    const res = await fetch(req.url, {
      method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'lotusctl' }, body: JSON.stringify(req.body),
      signal: AbortSignal.timeout(t.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true };
    return { ok: false, permanent: false, error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, permanent: false, error: `no answer within ${secs(t.timeoutMs)}` };
    return { ok: false, permanent: false, error: redact(`connection failed (${causeCode(err) ?? 'network error'})`, raw) };
  }
}

async function command(t: Extract<ResolvedTarget['config'], { kind: 'command' }>, e: NotifyEvent): Promise<SendResult> {
  const [file, ...args] = t.argv as [string, ...string[]];
  const r = await execa(file, args, { input: `${JSON.stringify(eventJson(e))}\n`, timeout: t.timeoutMs, reject: false });
  if (r.exitCode === 0) return { ok: true };
  if (r.timedOut) return { ok: false, permanent: false, error: `${file}: no answer within ${secs(t.timeoutMs)}` };
  const code = (r as unknown as { code?: string }).code;
  if (r.exitCode === undefined && code) return { ok: false, permanent: false, error: `cannot run ${file} (${code})` };
  const first = String(r.stderr ?? '').split('\n').find((l) => l.trim() !== '')?.slice(0, 200);
  return { ok: false, permanent: false, error: `${file} exited ${r.exitCode ?? r.signal ?? '?'}${first ? `: ${first}` : ''}` };
}

/** One delivery attempt. Never throws; `permanent` failures cannot work on this machine and are not retried. */
export async function sendNotification(target: ResolvedTarget, e: NotifyEvent): Promise<SendResult> {
  const c = target.config;
  try {
    switch (c.kind) {
      case 'webhook':
        return await webhook(c, e);
      case 'command':
        return await command(c, e);
      case 'macos':
        await showMacNotification({ title: title(e), subtitle: e.host, message: e.message, ...(c.sound ? { sound: c.sound } : {}) });
        return { ok: true };
      default: {
        const never: never = c;
        return { ok: false, permanent: true, error: `unknown target ${JSON.stringify(never)}` };
      }
    }
  } catch (err) {
    return { ok: false, permanent: isLotusctlError(err) && err.code === 'notify.unsupported', error: (err as Error).message };
  }
}
