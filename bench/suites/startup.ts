// Start-up: commands that read no machine state, against `node -e 0`.
import { join } from 'node:path';
import type { Suite } from '../lib/suite.js';

export const startup: Suite = {
  name: 'start-up',
  async prepare({ root, cli }) {
    const node = process.execPath;
    return {
      commands: [
        { id: 'version', label: 'lotusctl --version', argv: [node, cli, '--version'] },
        { id: 'help', label: 'lotusctl --help', argv: [node, cli, '--help'] },
        { id: 'validate', label: 'lotusctl validate (lotus.yaml.example)', argv: [node, cli, 'validate', '-f', join(root, 'lotus.yaml.example')], env: { NO_COLOR: '1' } },
      ],
      ratios: [
        { id: 'version', label: 'lotusctl --version / node -e 0', of: 'version', to: 'node', target: 1.5 },
        { id: 'help', label: 'lotusctl --help / node -e 0', of: 'help', to: 'node' },
        { id: 'validate', label: 'lotusctl validate / node -e 0', of: 'validate', to: 'node', target: 2 },
      ],
      close: async () => undefined,
    };
  },
};
