// Plan on a machine that already matches the spec (no changes), with 1 and with 50 services, against the launchctl
// double. The double is a Node program (one Node start per call), far slower than launchctl on a Mac, so the same
// plans are also timed against a replay of the double's answers from the shell: closer to what a Mac costs.
import { FakeMac } from '../lib/fake-mac.js';
import type { Suite } from '../lib/suite.js';

export const plan: Suite = {
  name: 'plan',
  async prepare({ cli, log }) {
    const node = process.execPath;
    const macs: FakeMac[] = [];
    try {
      const setUp = (n: number) => {
        log(`plan: applying ${n} service${n === 1 ? '' : 's'} to a fake Mac`);
        const mac = new FakeMac(cli);
        macs.push(mac);
        mac.writeSpec(n);
        mac.run(['apply', '--auto-approve']);
        const { replay, calls } = mac.recordReplay();
        return { mac, replay, calls };
      };
      const one = setUp(1);
      const fifty = setUp(50);
      const uid = process.getuid?.() ?? 0;
      const planArgv = [node, cli, 'plan', '--detailed-exitcode'];
      return {
        commands: [
          { id: 'plan-1', label: 'lotusctl plan, 1 service (double)', argv: planArgv, cwd: one.mac.root, env: one.mac.env },
          { id: 'plan-50', label: 'lotusctl plan, 50 services (double)', argv: planArgv, cwd: fifty.mac.root, env: fifty.mac.env },
          { id: 'plan-1-replay', label: 'lotusctl plan, 1 service (replay)', argv: planArgv, cwd: one.mac.root, env: { ...one.mac.env, LOTUSCTL_LAUNCHCTL: one.replay } },
          { id: 'plan-50-replay', label: 'lotusctl plan, 50 services (replay)', argv: planArgv, cwd: fifty.mac.root, env: { ...fifty.mac.env, LOTUSCTL_LAUNCHCTL: fifty.replay } },
          { id: 'launchctl-double', label: 'one launchctl call (double)', argv: [one.mac.env.LOTUSCTL_LAUNCHCTL as string, 'print-disabled', `gui/${uid}`], env: one.mac.env },
          { id: 'launchctl-replay', label: 'one launchctl call (replay)', argv: [one.replay, 'print-disabled', `gui/${uid}`] },
        ],
        ratios: [
          { id: 'plan-1', label: 'lotusctl plan (1 service, double) / node -e 0', of: 'plan-1', to: 'node', target: 2.5 },
          { id: 'plan-50-vs-1', label: 'plan 50 services / plan 1 service (double)', of: 'plan-50', to: 'plan-1', target: 3 },
          { id: 'plan-1-replay', label: 'lotusctl plan (1 service, replay) / node -e 0', of: 'plan-1-replay', to: 'node', note: 'launchctl answered from the shell' },
          { id: 'plan-50-vs-1-replay', label: 'plan 50 services / plan 1 service (replay)', of: 'plan-50-replay', to: 'plan-1-replay', note: 'launchctl answered from the shell' },
          { id: 'launchctl-double', label: 'one launchctl call (double) / node -e 0', of: 'launchctl-double', to: 'node' },
        ],
        facts: { launchctl_calls_per_plan: { services_1: one.calls, services_50: fifty.calls } },
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
