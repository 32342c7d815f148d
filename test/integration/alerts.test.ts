// monitor.notify end to end: the real CLI's `monitor run --once` (each run a whole monitor lifetime, so the queue
// must survive on disk), the launchctl double running a service that keeps failing, and a local webhook receiver
// that fails (HTTP 500), hangs, and then recovers.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import type { CliResult } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

// A sandbox may run the CLI as an operator account: its gui domain, and the folders a test makes given to it.
type Operator = { gui?: string; chownToOperator?: (p: string) => void };
const op = () => sb as unknown as Operator;
const gui = () => op().gui ?? `gui/${process.getuid?.() ?? 0}`;
const LABEL = 'com.lotusctl.flaky';
const TOKEN = 'T0KEN-3f9a1c77e2b4';

/** A webhook receiver: `fail` answers 500, `hang` never answers, `ok` answers 204. Records every request. */
class Receiver {
  mode: 'fail' | 'hang' | 'ok' = 'fail';
  readonly requests: Array<{ path: string; body: Record<string, unknown> }> = [];
  private readonly held: ServerResponse[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = self as Receiver;
        r.requests.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
        if (r.mode === 'hang') r.held.push(res);
        else res.writeHead(r.mode === 'ok' ? 204 : 500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new Receiver(server);
    return self;
  }

  url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/${TOKEN}`;
  }

  ids(): string[] {
    return this.requests.map((r) => r.body.id as string);
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let sb: Sandbox;
let hook: Receiver;
const outputs: CliResult[] = [];
beforeEach(async () => {
  sb = new Sandbox();
  hook = await Receiver.start();
  outputs.length = 0;
});
afterEach(async () => {
  await hook.stop();
  expect(await sb.stop()).toEqual([]);
});

function spec(script: string, recorder: string, alerts: string): string {
  return `version: 1
services:
  flaky:
    program: ${script}
    keep_alive: false
    throttle_interval: 1s
    exit_timeout: 5s
monitor:
  enabled: false                 # no monitor job: the test runs each round itself
  failure_threshold: 1
  backoff: { initial: 1h, max: 1h, reset_after: 1h }
  notify:
    unhealthy_after: 1s
    retry: { initial: 1s, max: 1s }
    targets:
      - name: hook
        webhook: { url: { file: secrets/hook-url }, timeout: 1s }
      - name: script
        command: { argv: [${recorder}, ${alerts}] }
      - name: desktop
        macos: {}
        events: [restart]
`;
}

interface Stored { deliveries: Array<{ event: string; target: string; status: string; attempts: number; next_attempt_at: string; last_error?: string }> }
const store = (): Stored => JSON.parse(readFileSync(join(sb.stateDir(), 'notify.json'), 'utf8'));
const delivery = (target: string, kind: string) => store().deliveries.find((d) => d.target === target && d.event.endsWith(`-${kind}`));

async function round(env: Record<string, string> = {}): Promise<CliResult> {
  const r = await sb.cli(['monitor', 'run', '--once'], env);
  outputs.push(r);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

/** Waits until every pending delivery to `target` may be retried (no fixed sleeps). */
async function retryDue(target: string): Promise<void> {
  await waitFor(`${target} retry due`, () => store().deliveries.filter((d) => d.target === target && d.status === 'pending').every((d) => Date.parse(d.next_attempt_at) <= Date.now()), 10_000);
}

describe('monitor.notify', () => {
  it('queues alerts durably, retries through a failing and a hanging webhook across monitor restarts, delivers each once, never logs the token', async () => {
    const script = sb.script('flaky', 'exec sleep 600');
    const recorder = sb.script('record-alert', 'cat >> "$1"');
    const alerts = sb.path('alerts.jsonl');
    sb.writeSpec(spec(script, recorder, alerts));
    mkdirSync(sb.path('secrets'));
    writeFileSync(sb.path('secrets/hook-url'), `${hook.url()}\n`);
    op().chownToOperator?.(sb.path('secrets'));
    const applied = await sb.cli(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    // The service breaks: it exits 1 whenever it starts, and KeepAlive is off.
    writeFileSync(script, '#!/bin/sh\nexit 1\n');
    expect((await sb.launchctl(['kill', 'SIGTERM', `${gui()}/${LABEL}`])).code).toBe(0);
    await waitFor('flaky stopped', async () => (await sb.print(LABEL)).pid === undefined);

    // Round 1: the monitor restarts it. The webhook answers 500; the command gets it; the Mac target cannot work here.
    hook.mode = 'fail';
    const r1 = await round();
    expect(r1.stdout).toMatch(/"event":"notify-event","msg":"flaky on .* was restarted by the lotusctl monitor/);
    expect(r1.stdout).toMatch(/"event":"notify-retry","msg":"alert restart for flaky not delivered to hook: HTTP 500/);
    expect(r1.stdout).toMatch(/"event":"notify-undeliverable","msg":"alert restart for flaky cannot be delivered to desktop: macOS notifications are unsupported here/);
    expect(hook.requests).toHaveLength(1);
    expect(delivery('hook', 'restart')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500 Internal Server Error' });
    expect(delivery('desktop', 'restart')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery('script', 'restart')).toMatchObject({ status: 'delivered' });

    // Round 2, a new monitor process: the webhook hangs; the queued restart alert is tried again and times out.
    // The service has now been down longer than unhealthy_after: a new alert, queued behind the restart alert.
    hook.mode = 'hang';
    await retryDue('hook');
    const r2 = await round();
    expect(r2.stdout).toMatch(/"event":"notify-retry","msg":"alert restart for flaky not delivered to hook: no answer within 1s/);
    expect(hook.requests).toHaveLength(2);
    expect(hook.ids()[1]).toBe(hook.ids()[0]);
    expect(delivery('hook', 'restart')).toMatchObject({ status: 'pending', attempts: 2 });
    expect(delivery('hook', 'unhealthy')).toMatchObject({ status: 'pending', attempts: 0 });

    // Round 3: the webhook works again; both alerts arrive, in order.
    hook.mode = 'ok';
    await retryDue('hook');
    await round();
    expect(hook.requests.slice(2).map((r) => r.body.kind)).toEqual(['restart', 'unhealthy']);
    expect(hook.requests[2]?.body).toMatchObject({ format_version: '1', kind: 'restart', service: 'flaky', label: LABEL, status: 'stopped' });
    expect(store().deliveries.filter((d) => d.target !== 'desktop').every((d) => d.status === 'delivered')).toBe(true);

    // The service recovers: one `recovered` alert, then silence.
    writeFileSync(script, '#!/bin/sh\nexec sleep 600\n');
    expect((await sb.launchctl(['kickstart', `${gui()}/${LABEL}`])).code).toBe(0);
    await waitFor('flaky running', async () => (await sb.print(LABEL)).pid !== undefined);
    await round();
    await round();
    const delivered = hook.requests.slice(2).map((r) => r.body.kind);
    expect(delivered).toEqual(['restart', 'unhealthy', 'recovered']);
    const ids = hook.ids().slice(2);
    expect(new Set(ids).size).toBe(ids.length);
    const recorded = readFileSync(alerts, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; id: string });
    expect(recorded.map((e) => e.kind)).toEqual(['restart', 'unhealthy', 'recovered']);
    expect(recorded.map((e) => e.id)).toEqual(ids);

    // The token is in the URL file and nowhere else lotusctl wrote or printed.
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(TOKEN);
    const written = (readdirSync(sb.stateDir(), { recursive: true }) as string[]).map((f) => join(sb.stateDir(), f)).filter((f) => statSync(f).isFile());
    expect(written.map((f) => f.slice(sb.stateDir().length + 1))).toContain('notify.json');
    for (const f of written) expect(readFileSync(f, 'utf8'), f).not.toContain(TOKEN);
  });

  it('a macOS target runs osascript with the text as arguments, never inside the script', async () => {
    const script = sb.script('flaky', 'exec sleep 600');
    const osa = sb.script('osascript', `printf '%s\\n' "$@" > ${sb.path('osascript.args')}`);
    sb.writeSpec(`version: 1
services:
  flaky:
    program: ${script}
    keep_alive: false
    throttle_interval: 1s
    exit_timeout: 5s
monitor:
  enabled: false
  failure_threshold: 1
  notify:
    targets:
      - macos: { sound: Basso }
`);
    const applied = await sb.cli(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    writeFileSync(script, '#!/bin/sh\nexit 1\n');
    await sb.launchctl(['kill', 'SIGTERM', `${gui()}/${LABEL}`]);
    await waitFor('flaky stopped', async () => (await sb.print(LABEL)).pid === undefined);
    const r = await round({ LOTUSCTL_OSASCRIPT: osa });
    expect(r.stdout).toMatch(/"event":"notify-sent","msg":"alert restart for flaky delivered to macos-[0-9a-f]{8}"/);
    const args = readFileSync(sb.path('osascript.args'), 'utf8').split('\n');
    expect(args.slice(0, 6)).toEqual(['-e', 'on run argv', '-e', 'display notification (item 3 of argv) with title (item 1 of argv) subtitle (item 2 of argv) sound name (item 4 of argv)', '-e', 'end run']);
    expect(args[6]).toBe('Lotus service restarted: flaky');
    expect(args[8]).toMatch(/^flaky on .* was restarted by the lotusctl monitor/);
    expect(args[9]).toBe('Basso');
  });

  it('an unreadable queue is moved aside, said so in the log, and alerting goes on', async () => {
    const script = sb.script('flaky', 'exec sleep 600');
    const recorder = sb.script('record-alert', 'cat >> "$1"');
    sb.writeSpec(spec(script, recorder, sb.path('alerts.jsonl')));
    const applied = await sb.cli(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    writeFileSync(script, '#!/bin/sh\nexit 1\n');
    await sb.launchctl(['kill', 'SIGTERM', `${gui()}/${LABEL}`]);
    await waitFor('flaky stopped', async () => (await sb.print(LABEL)).pid === undefined);
    writeFileSync(join(sb.stateDir(), 'notify.json'), '{ not json');
    const r = await round();
    expect(r.stdout).toMatch(/"event":"notify-state-reset","msg":".*notify\.json could not be read .* moved aside to .*notify\.json\.unreadable-/);
    // The webhook's URL file was never written: a retryable failure that names the file.
    expect(r.stdout).toMatch(/not delivered to hook: cannot read the URL file .*secrets\/hook-url \(ENOENT\)/);
    expect(readdirSync(sb.stateDir()).some((f) => f.startsWith('notify.json.unreadable-'))).toBe(true);
    expect(delivery('hook', 'restart')).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery('script', 'restart')).toMatchObject({ status: 'delivered' });
  });
});
