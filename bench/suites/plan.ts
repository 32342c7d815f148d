// Plan cost against the launchctl double: one service on a machine that matches the spec (no changes), and how
// the cost grows from 1 to 50 services (both on a fresh machine: applying 50 services first would take minutes).
// The double answers through its fast client (test/fakes/launchctl/README.md, "Clients") when it is built, else one
// Node start per launchctl call, far slower than launchctl on a Mac; so the same plans are also timed against a
// replay of the double's answers from the shell, closer to what a Mac costs.
import { FakeMac } from '../lib/fake-mac.js';
import type { Suite, TimedCommand } from '../lib/suite.js';
import { OPERATOR } from '../../test/helpers/operator.js';

export const plan: Suite = {
  name: 'plan',
  async prepare({ root, cli, log }) {
    const node = process.execPath;
    const macs: FakeMac[] = [];
    try {
      const setUp = (n: number, applied: boolean) => {
        log(`plan: a fake Mac with ${n} service${n === 1 ? '' : 's'}${applied ? ', applied' : ''}`);
        const mac = new FakeMac(cli, root);
        macs.push(mac);
        mac.writeSpec(n);
        if (applied) mac.run(['apply', '--auto-approve']);
        const okCodes = applied ? [0] : [2];
        return { mac, okCodes, ...mac.recordReplay(okCodes) };
      };
      const applied = setUp(1, true);
      const fresh1 = setUp(1, false);
      const fresh50 = setUp(50, false);
      const uid = OPERATOR.uid;
      const planArgv = [node, cli, 'plan', '--detailed-exitcode'];
      const timed = (id: string, label: string, m: typeof applied, replay: boolean, every = 1): TimedCommand => ({
        id, label, argv: planArgv, cwd: m.mac.root, okCodes: m.okCodes, every, runAs: m.mac.runAs,
        env: replay ? { ...m.mac.env, LOTUSCTL_LAUNCHCTL: m.replay } : m.mac.env,
      });
      return {
        commands: [
          timed('plan-1', 'lotusctl plan, 1 service, no changes', applied, false),
          { ...timed('plan-1-no-cache', 'lotusctl plan, 1 service, compile cache off', applied, false), env: { ...applied.mac.env, NODE_DISABLE_COMPILE_CACHE: '1' } },
          timed('plan-1-fresh', 'lotusctl plan, 1 service, fresh Mac', fresh1, false),
          timed('plan-50-fresh', 'lotusctl plan, 50 services, fresh Mac', fresh50, false, 2),
          timed('plan-1-replay', 'lotusctl plan, 1 service, no changes (replay)', applied, true),
          timed('plan-1-fresh-replay', 'lotusctl plan, 1 service, fresh Mac (replay)', fresh1, true),
          timed('plan-50-fresh-replay', 'lotusctl plan, 50 services, fresh Mac (replay)', fresh50, true),
          { id: 'launchctl-double', label: 'one launchctl call (double)', argv: [applied.mac.env.LOTUSCTL_LAUNCHCTL as string, 'print-disabled', `gui/${uid}`], env: applied.mac.env, runAs: applied.mac.runAs },
          { id: 'launchctl-replay', label: 'one launchctl call (replay)', argv: [applied.replay, 'print-disabled', `gui/${uid}`], runAs: applied.mac.runAs },
        ],
        ratios: [
          { id: 'plan-1', label: 'plan, 1 service, no changes / node -e 0', of: 'plan-1', to: 'node', target: 2.5 },
          { id: 'plan-1-no-cache', label: 'plan, 1 service, compile cache off / node -e 0', of: 'plan-1-no-cache', to: 'node', note: 'a first run' },
          { id: 'plan-50-vs-1', label: 'plan, 50 services / 1 service', of: 'plan-50-fresh', to: 'plan-1-fresh', target: 3 },
          { id: 'plan-1-replay', label: 'plan, 1 service, no changes / node -e 0 (replay)', of: 'plan-1-replay', to: 'node', note: 'launchctl answered from the shell' },
          { id: 'plan-50-vs-1-replay', label: 'plan, 50 services / 1 service (replay)', of: 'plan-50-fresh-replay', to: 'plan-1-fresh-replay', note: 'launchctl answered from the shell' },
          { id: 'launchctl-double', label: 'one launchctl call of the double / node -e 0', of: 'launchctl-double', to: 'node' },
        ],
        facts: { launchctl_calls_per_plan: { services_1: applied.calls, services_50: fresh50.calls } },
        close: async () => {
          for (const m of macs) await m.close();
        },
      };
    } catch (e) {
      for (const m of macs) await m.close();
      throw e;
    }
  },
};
