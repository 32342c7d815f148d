// Alerts, part 3: monitor.notify -> the targets and numbers the notifier works with. Pure.
import { posix } from 'node:path';
import { sha256 } from '../plan/digest.js';
import { resolvePath } from '../spec/paths.js';
import type { NotifySpec, NotifyTargetSpec } from '../spec/schema.js';
import { parseDuration } from '../spec/units.js';
import type { NotifyKind } from './notify-events.js';
import type { RetryPolicy } from './notify-queue.js';

export type WebhookFormat = 'json' | 'slack' | 'discord' | 'ntfy';

export type TargetConfig =
  | { readonly kind: 'webhook'; readonly urlFile: string; readonly format: WebhookFormat; readonly timeoutMs: number }
  | { readonly kind: 'macos'; readonly sound?: string }
  | { readonly kind: 'command'; readonly argv: readonly string[]; readonly timeoutMs: number };

export interface ResolvedTarget {
  /** Stable across restarts and reorderings: the name, else the kind and a digest of what identifies the target. */
  readonly id: string;
  readonly events: ReadonlySet<NotifyKind>;
  readonly config: TargetConfig;
}

export interface NotifySettings {
  readonly unhealthyAfterMs: number;
  readonly retry: RetryPolicy;
  readonly targets: readonly ResolvedTarget[];
}

const ms = (d: string, fallback: number) => parseDuration(d) ?? fallback;

function config(t: NotifyTargetSpec, home: string, specDir: string): TargetConfig {
  if (t.webhook) return { kind: 'webhook', urlFile: resolvePath(t.webhook.url.file, home, specDir), format: t.webhook.format, timeoutMs: ms(t.webhook.timeout, 10_000) };
  if (t.command) return { kind: 'command', argv: [...t.command.argv], timeoutMs: ms(t.command.timeout, 30_000) };
  return { kind: 'macos', ...(t.macos?.sound !== undefined ? { sound: t.macos.sound } : {}) };
}

function identity(c: TargetConfig): string {
  return c.kind === 'webhook' ? c.urlFile : c.kind === 'command' ? JSON.stringify(c.argv) : 'macos';
}

/** The settings for a spec's monitor.notify; paths resolve like every path in lotus.yaml. */
export function notifySettings(n: NotifySpec, home: string, specPath: string): NotifySettings {
  const specDir = posix.dirname(specPath);
  const seen = new Map<string, number>();
  const targets = n.targets.map((t): ResolvedTarget => {
    const c = config(t, home, specDir);
    const base = t.name ?? `${c.kind}-${sha256(identity(c)).slice(0, 8)}`;
    const nth = (seen.get(base) ?? 0) + 1;
    seen.set(base, nth);
    return { id: nth === 1 ? base : `${base}-${nth}`, events: new Set(t.events ?? n.events), config: c };
  });
  return { unhealthyAfterMs: ms(n.unhealthy_after, 600_000), retry: { initialMs: ms(n.retry.initial, 30_000), maxMs: ms(n.retry.max, 1_800_000) }, targets };
}
