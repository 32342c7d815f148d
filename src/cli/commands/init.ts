import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InternalError, isLotusctlError, LotusctlError } from '../../model/errors.js';
import { chooseDomain, initSpecText, type FoundRepo } from '../../spec/init-template.js';
import { resolvePath } from '../../spec/paths.js';
import { validateSpecText } from '../../spec/validate.js';
import { createFileExclusive } from '../../system/atomic-file.js';
import { homeDir, which } from '../../system/host.js';
import { gatherMachineFacts } from '../../system/machine.js';
import type { Output } from '../output.js';

export interface InitFlags {
  out: string;
  domain?: string;
  miner?: boolean;
  json?: boolean;
}

function repoFact(envName: string, fallback: string, env: NodeJS.ProcessEnv, home: string): FoundRepo {
  const given = env[envName];
  const raw = given && given.trim() !== '' ? given : fallback;
  const absolute = resolvePath(raw, home, process.cwd());
  const shown = absolute === home ? '~' : absolute.startsWith(`${home}/`) ? `~${absolute.slice(home.length)}` : absolute;
  return { path: shown, absolute, exists: existsSync(absolute), from: given ? `$${envName}` : `the default ${fallback}` };
}

/** `lotusctl init`: write a commented lotus.yaml for this machine; never overwrites a file. */
export async function runInit(flags: InitFlags, o: Output): Promise<number> {
  const env = process.env;
  const path = resolve(flags.out);
  if (existsSync(path)) {
    throw new LotusctlError('init.exists', `${flags.out} exists; init never overwrites a file`, { hint: 'edit it, or give another file with --out (lotusctl optimize proposes settings for an existing one)' });
  }
  const home = homeDir(env);
  const { domain, reason } = chooseDomain(flags.domain, { uid: process.getuid?.() ?? 501, ssh: Boolean(env.SSH_CONNECTION || env.SSH_TTY) });
  const machine = await gatherMachineFacts(env);
  const runAs = env.SUDO_USER && env.SUDO_USER !== 'root' ? env.SUDO_USER : undefined;
  const result = initSpecText({
    domain, domainReason: reason, machine, today: new Date().toISOString().slice(0, 10),
    lotus: { path: which('lotus', env) },
    repo: repoFact('LOTUS_PATH', '~/.lotus', env, home),
    ...(flags.miner ? { miner: { program: { path: which('lotus-miner', env) }, repo: repoFact('LOTUS_MINER_PATH', '~/.lotusminer', env, home) } } : {}),
    ...(domain === 'system' && runAs ? { runAs } : {}),
  });
  const v = validateSpecText(result.text);
  if (!v.spec) throw new InternalError(`init wrote a lotus.yaml that does not validate: ${v.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('; ')}`);
  try {
    createFileExclusive(path, result.text, { mode: 0o644 });
  } catch (e) {
    if (isLotusctlError(e) && e.code === 'fs.exists') throw new LotusctlError('init.exists', `${flags.out} appeared while init ran; nothing was written`, { hint: 'run init again, or give another file with --out' });
    throw e;
  }

  if (flags.json) {
    o.out(JSON.stringify({
      format_version: '1', file: flags.out, domain,
      services: Object.fromEntries(Object.entries(v.spec.services).map(([n, s]) => [n, { program: s.program, label: s.label ?? `com.lotusctl.${n}` }])),
      monitor: { max_memory: v.spec.monitor?.max_memory ?? null },
      warnings: result.warnings,
    }, null, 2));
    return 0;
  }
  const c = o.colors;
  o.out(c.green(`Wrote ${flags.out} for this machine (domain ${domain}): ${Object.keys(v.spec.services).join(', ')} and the monitor.`));
  for (const w of result.warnings) o.err(`${o.errColors.yellow('warning')}: ${w}`);
  o.out(`Next: lotusctl validate${flags.out === 'lotus.yaml' ? '' : ` -f ${flags.out}`} && lotusctl plan${flags.out === 'lotus.yaml' ? '' : ` -f ${flags.out}`}`);
  return 0;
}
