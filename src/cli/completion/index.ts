import type { Command } from 'commander';
import { LotusctlError } from '../../model/errors.js';
import { bashCompletion } from './bash.js';
import { fishCompletion } from './fish.js';
import { completionModel } from './model.js';
import { zshCompletion } from './zsh.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The completion script of `program` for `shell`. */
export function completionScript(program: Command, shell: string): string {
  const model = completionModel(program);
  switch (shell) {
    case 'bash': return bashCompletion(model);
    case 'zsh': return zshCompletion(model);
    case 'fish': return fishCompletion(model);
    default:
      throw new LotusctlError('cli.unknown-shell', `no completion for the shell "${shell}"`, { hint: `shells: ${SHELLS.join(', ')}` });
  }
}
