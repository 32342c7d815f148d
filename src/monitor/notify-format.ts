// Alerts, part 4: what a target receives. Pure. The event JSON is also what a command gets on stdin.
import type { NotifyEvent, NotifyKind } from './notify-events.js';
import type { WebhookFormat } from './notify-config.js';

export const NOTIFY_FORMAT_VERSION = '1';

/** The event as JSON (snake_case, ISO time, format_version): the `json` webhook body and a command's stdin. */
export function eventJson(e: NotifyEvent): Record<string, unknown> {
  return {
    format_version: NOTIFY_FORMAT_VERSION, id: e.id, kind: e.kind, service: e.service, label: e.label, host: e.host,
    time: new Date(e.time).toISOString(), status: e.status, reasons: [...e.reasons], message: e.message, details: { ...e.details },
  };
}

const TITLE: Record<NotifyKind, string> = {
  restart: 'Lotus service restarted', 'breaker-open': 'Circuit breaker open', unhealthy: 'Lotus service unhealthy', recovered: 'Lotus service recovered',
};
// ntfy priorities 1..5 (3 default) and tags that render as emoji (docs.ntfy.sh/publish).
const NTFY: Record<NotifyKind, { priority: number; tags: string[] }> = {
  restart: { priority: 4, tags: ['warning'] }, 'breaker-open': { priority: 5, tags: ['rotating_light'] },
  unhealthy: { priority: 4, tags: ['warning'] }, recovered: { priority: 3, tags: ['white_check_mark'] },
};

export function title(e: NotifyEvent): string {
  return `${TITLE[e.kind]}: ${e.service}`;
}

/**
 * The request for a webhook: where to POST (ntfy's JSON publishing goes to the server's root, with the topic, the
 * URL's last segment, in the body) and the JSON body for the chosen format.
 */
export function webhookRequest(format: WebhookFormat, url: URL, e: NotifyEvent): { url: URL; body: Record<string, unknown> } {
  switch (format) {
    case 'json':
      return { url, body: eventJson(e) };
    case 'slack':
      // Slack incoming webhooks take { text } (mrkdwn).
      return { url, body: { text: `*${title(e)}*\n${e.message}` } };
    case 'discord':
      // Discord execute-webhook: { content } up to 2000 characters.
      return { url, body: { content: `**${title(e)}**\n${e.message}`.slice(0, 2000), username: 'lotusctl' } };
    case 'ntfy': {
      const segments = url.pathname.split('/').filter(Boolean);
      const topic = segments.pop() ?? '';
      const root = new URL(url.toString());
      root.pathname = `/${segments.join('/')}${segments.length > 0 ? '/' : ''}`;
      return { url: root, body: { topic, title: title(e), message: e.message, ...NTFY[e.kind] } };
    }
    default: {
      const never: never = format;
      throw new Error(`unknown webhook format ${String(never)}`);
    }
  }
}
