// Start-up: commands that read no machine state, against `node -e 0`.
import { join } from 'node:path';
import type { Suite, TimedCommand } from '../lib/suite.js';

export const startup: Suite = {
  name: 'start-up',
  async prepare({ root, cli }) {
    const node = process.execPath;
    const commands: TimedCommand[] = [
      { id: 'version', label: 'lotusctl --version', argv: [node, cli, '--version'] },
      { id: 'help', label: 'lotusctl --help', argv: [node, cli, '--help'] },
      { id: 'validate', label: 'lotusctl validate (lotus.yaml.example)', argv: [node, cli, 'validate', '-f', join(root, 'lotus.yaml.example')], env: { NO_COLOR: '1' } },
      // A command's first run on a machine, or with the cache off: everything compiled (src/cli/compile-cache.ts).
      { id: 'validate-no-cache', label: 'lotusctl validate, compile cache off', argv: [node, cli, 'validate', '-f', join(root, 'lotus.yaml.example')], env: { NO_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: '1' } },
    ];
    return {
      commands,
      ratios: [
        { id: 'version', label: 'lotusctl --version / node -e 0', of: 'version', to: 'node', target: 1.5 },
        { id: 'help', label: 'lotusctl --help / node -e 0', of: 'help', to: 'node' },
        { id: 'validate', label: 'lotusctl validate / node -e 0', of: 'validate', to: 'node', target: 2 },
        { id: 'validate-no-cache', label: 'lotusctl validate, compile cache off / node -e 0', of: 'validate-no-cache', to: 'node', note: 'a first run' },
      ],
      close: async () => undefined,
    };
  },
};
