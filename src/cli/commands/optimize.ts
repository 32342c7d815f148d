import { statSync } from 'node:fs';
import { InternalError } from '../../model/errors.js';
import type { MachineFacts } from '../../model/machine.js';
import { formatDiagnostic } from '../../render/diagnostics.js';
import { unifiedDiff } from '../../render/unified-diff.js';
import { CATEGORIES, optimize, type OptimizeResult, type Proposal } from '../../spec/optimize.js';
import { formatSize } from '../../spec/units.js';
import { validateSpecText } from '../../spec/validate.js';
import { applyYamlEdits, inlineValue } from '../../spec/yaml-edit.js';
import { writeFileAtomic } from '../../system/atomic-file.js';
import { loadSpec } from '../../system/load-spec.js';
import { gatherMachineFacts } from '../../system/machine.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output.js';

export interface OptimizeFlags {
  file: string;
  write?: boolean;
  json?: boolean;
}

const shown = (v: unknown) => (v === undefined ? '(unset)' : inlineValue(v));
const dotted = (p: Proposal) => p.path.slice(p.service !== undefined ? 2 : 1).join('.');

function machineLine(f: MachineFacts): string {
  const os = f.platform === 'darwin' ? `macOS ${f.osVersion ?? '(version unknown)'}` : `${f.platform}${f.osVersion ? ` ${f.osVersion}` : ''}`;
  const ceiling = f.maxFilesPerProc !== undefined ? `, kern.maxfilesperproc ${f.maxFilesPerProc}` : '';
  return `This machine: ${os}, ${f.cpuCores} CPU cores, ${formatSize(f.memoryBytes)} memory${ceiling}`;
}

function json(flags: OptimizeFlags, f: MachineFacts, r: OptimizeResult, diff: string, written: boolean): string {
  return JSON.stringify({
    format_version: '1', file: flags.file,
    machine: {
      platform: f.platform, os_version: f.osVersion ?? null, cpu_cores: f.cpuCores, physical_cores: f.physicalCores ?? null, memory_bytes: f.memoryBytes,
      max_files_per_proc: f.maxFilesPerProc ?? null, volumes: f.volumes.map((v) => ({ mount: v.mount, size_bytes: v.sizeBytes, free_bytes: v.freeBytes })),
    },
    proposals: r.proposals.map((p) => ({ category: p.category, service: p.service ?? null, path: p.path.join('.'), from: p.from ?? null, to: p.to, reason: p.reason, source: p.source })),
    notes: r.notes.map((n) => ({ category: n.category, service: n.service ?? null, message: n.message, source: n.source })),
    diff, written,
  }, null, 2);
}

/**
 * `lotusctl optimize [--write]`: proposals for lotus.yaml from the machine's facts, as a unified diff.
 * Exit 0: nothing to propose (or --write wrote them); 2: proposals shown, not written; 1: error.
 */
export async function runOptimize(flags: OptimizeFlags, o: Output): Promise<number> {
  const loaded = loadSpec(flags.file);
  if (!loaded.ok || !loaded.spec || !loaded.host) {
    if (!flags.json) for (const d of loaded.diagnostics.filter((x) => x.severity === 'error')) o.err(formatDiagnostic(loaded.file, d, o.errColors));
    o.err(`${loaded.file} is not valid; optimize needs a valid lotus.yaml (lotusctl validate shows why)`);
    throw new ExitCode(1);
  }
  const facts = await gatherMachineFacts();
  const r = optimize(loaded.spec, facts, { home: loaded.host.home, specPath: loaded.path });
  const after = r.proposals.length > 0 ? applyYamlEdits(loaded.text, r.proposals.map((p) => ({ path: p.path, value: p.to }))) : loaded.text;
  const diff = unifiedDiff(flags.file, loaded.text, after);
  let written = false;
  if (flags.write && r.proposals.length > 0) {
    const v = validateSpecText(after);
    if (!v.spec) throw new InternalError(`the optimized lotus.yaml does not validate: ${v.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
    writeFileAtomic(loaded.path, after, { mode: statSync(loaded.path).mode & 0o777 });
    written = true;
  }
  if (flags.json) {
    o.out(json(flags, facts, r, diff, written));
    return r.proposals.length === 0 || written ? 0 : 2;
  }

  const c = o.colors;
  o.out(c.dim(machineLine(facts)));
  if (r.proposals.length === 0) {
    o.out(`\n${c.green(`Nothing to propose: ${flags.file} already suits this machine.`)}`);
  } else {
    o.out(`\n${c.bold(`lotusctl optimize ${written ? 'made' : 'proposes'} ${r.proposals.length} change${r.proposals.length === 1 ? '' : 's'} to ${flags.file}:`)}`);
    for (const category of CATEGORIES) {
      const ps = r.proposals.filter((p) => p.category === category);
      if (ps.length === 0) continue;
      o.out(`\n  ${c.bold(category.replace('-', ' '))}`);
      for (const p of ps) {
        o.out(`    ${p.service ?? 'monitor'}: ${dotted(p)} ${c.red(shown(p.from))} -> ${c.green(shown(p.to))}`);
        o.out(`      ${p.reason}`);
        o.out(c.dim(`      source: ${p.source}`));
      }
    }
  }
  if (r.notes.length > 0) {
    o.out(`\n${c.bold('Notes')} (nothing in lotus.yaml can change these):`);
    for (const n of r.notes) o.out(`  - ${n.service ? `${n.service}: ` : ''}${n.message} ${c.dim(`(${n.source})`)}`);
  }
  if (diff) {
    o.out('');
    for (const line of diff.split('\n')) o.out(line.startsWith('+') && !line.startsWith('+++') ? c.green(line) : line.startsWith('-') && !line.startsWith('---') ? c.red(line) : line);
    o.out(written
      ? `\nWrote ${flags.file} (comments and layout kept). \`lotusctl plan\` shows what the changes do on this Mac.`
      : `\nRun \`lotusctl optimize --write\` to make these changes (comments and layout are kept), then \`lotusctl plan\`.`);
  }
  return r.proposals.length === 0 || written ? 0 : 2;
}
