import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { defaultLaunchctl } from '../../api.js';
import { adoptImport } from '../../apply/adopt.js';
import { domainTarget } from '../../launchd/domain.js';
import { locateJob } from '../../observe/locate-job.js';
import { diagnosticsJson, formatDiagnostic } from '../../render/diagnostics.js';
import { unifiedDiff } from '../../render/unified-diff.js';
import { programsToResolve, secretFiles } from '../../spec/desired.js';
import { bareProgram, LAUNCHD_SEARCH_PATH, type ImportNoteKind, type ProgramLookup } from '../../spec/import-plist.js';
import { planImport, type ImportJobPlan, type ImportPlanResult } from '../../spec/import-plan.js';
import { resolvePath } from '../../spec/paths.js';
import { DEFAULT_STATE_DIR } from '../../spec/schema.js';
import { validateSpecText } from '../../spec/validate.js';
import { gatherHostFacts, homeDir, launchdWhich, which } from '../../system/host.js';
import { readManifest } from '../../system/manifest.js';
import { readSpecFile } from '../../system/spec-file.js';
import { LotusctlError } from '../../model/errors.js';
import type { Output } from '../output.js';

export interface ImportFlags {
  out?: string;
  name?: string;
  json?: boolean;
  dryRun?: boolean;
}

const MARK: Record<ImportNoteKind, string> = { normalized: '~', repaired: '!', dropped: '-', extra: '+', secret: '*', reload: '>' };

function tilde(p: string, home: string): string {
  return p === home ? '~' : p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
}

function jobLine(j: ImportJobPlan): string {
  const where = j.source.loaded ? `${domainTarget(j.desired.domain)}, ${j.source.loaded.pid !== undefined ? `running, pid ${j.source.loaded.pid}` : 'loaded, not running'}` : 'not loaded';
  return `${j.imported.name}  ${j.imported.label}  (${where})`;
}

function outcome(j: ImportJobPlan): string {
  if (j.action === 'template') return 'not loaded and not installed: `lotusctl apply` installs and starts it';
  if (j.reload.length > 0) return 'adopted without a restart; `lotusctl plan` shows one reload, which makes launchd\'s loaded copy match lotus.yaml';
  if (j.state === 'stopped') {
    return j.disable ? 'adopted as state: stopped (not loaded); `lotusctl plan` shows the disable that keeps launchd from loading it at login or boot'
      : 'adopted as state: stopped (not loaded, and disabled)';
  }
  return 'adopted; the job was not restarted';
}

/** `lotusctl import LABEL|PLIST...`: adopt existing launchd jobs into lotus.yaml and lotusctl's state. */
export async function runImport(args: readonly string[], flags: ImportFlags, o: Output): Promise<number> {
  const env = process.env;
  const file = flags.out ?? (env.LOTUSCTL_FILE || 'lotus.yaml');
  const specPath = resolve(file);
  const home = homeDir(env);
  const existingText = existsSync(specPath) ? readSpecFile(specPath) : undefined;
  const existing = existingText === undefined ? undefined : validateSpecText(existingText);
  if (existing && !existing.spec) {
    if (!flags.json) for (const d of existing.diagnostics) o.err(formatDiagnostic(file, d, o.errColors));
    throw new LotusctlError('import.spec-invalid', `${file} is not a valid lotus.yaml; nothing was changed`, { hint: `fix it first (lotusctl validate -f ${file}); import never writes into a file it cannot read` });
  }
  const systemDaemonsDir = env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons';
  const lc = defaultLaunchctl();
  const uid = process.getuid?.() ?? 501;
  const sources = [];
  for (const arg of args) sources.push(await locateJob(arg, { lc, home, uid, systemDaemonsDir }));

  const bare = [...new Set(sources.map((s) => bareProgram(s.dict)).filter((p): p is string => p !== undefined))];
  const programs: Record<string, ProgramLookup> = Object.fromEntries(bare.map((p) => [p, { launchd: launchdWhich(p, LAUNCHD_SEARCH_PATH), host: which(p, env) }]));
  const spec = existing?.spec;
  const host = gatherHostFacts({
    specPath, env,
    programs: [...new Set([...(spec ? programsToResolve(spec) : []), ...bare])],
    secretFiles: spec ? secretFiles(spec, home, specPath) : [],
  });
  const stateDir = resolvePath(spec?.defaults.state_dir ?? DEFAULT_STATE_DIR, home, dirname(specPath));
  const manifest = readManifest(stateDir);
  const plan = planImport({
    specPath, ...(existingText !== undefined ? { existingText } : {}), sources, programs, host,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    managedLabels: new Set(Object.keys(manifest.jobs)), today: new Date().toISOString().slice(0, 10),
  });

  if (flags.dryRun) {
    report(plan, file, o, flags, {}, home, existingText ?? '');
    return 0;
  }
  const result = await adoptImport(plan, {
    specPath, ...(existingText !== undefined ? { previousText: existingText } : {}),
    command: `lotusctl import ${args.join(' ')}`.slice(0, 200),
  });
  // The state lock of a crashed lotusctl was taken over: said on stderr, so --json stays one object.
  if (result.tookOverLock) o.err(result.tookOverLock);
  report(plan, file, o, flags, result.backups, home);
  return 0;
}

/** `before` is set for a dry run: the text lotus.yaml has now, for the diff. */
function report(plan: ImportPlanResult, file: string, o: Output, flags: ImportFlags, backups: Readonly<Record<string, string>>, home: string, before?: string): void {
  const dryRun = before !== undefined;
  if (flags.json) {
    o.out(JSON.stringify({
      format_version: '1', file, created: plan.created, dry_run: dryRun,
      services: plan.jobs.map((j) => ({
        service: j.imported.name, label: j.imported.label, domain: domainTarget(j.desired.domain), source: j.source.sourcePath, source_format: j.source.format,
        plist_path: j.desired.plistPath, action: j.action, plist: j.plist, state: j.state, loaded: j.source.loaded !== undefined, pid: j.source.loaded?.pid ?? null,
        reload: [...j.reload], disable: j.disable,
        backup: backups[j.imported.label] ?? null, secret_files: j.imported.secrets.map((s) => s.path),
        notes: j.imported.notes.map((n) => ({ kind: n.kind, key: n.key, message: n.message })),
      })),
      warnings: diagnosticsJson(file, plan.warnings),
    }, null, 2));
    return;
  }
  const c = o.colors;
  const n = plan.jobs.length;
  o.out(c.bold(`${dryRun ? 'Would import' : 'Imported'} ${n} job${n === 1 ? '' : 's'} into ${file}${plan.created ? ' (a new file)' : ''}:`));
  for (const j of plan.jobs) {
    o.out(`\n  ${c.bold(jobLine(j))}`);
    o.out(`    from ${tilde(j.source.sourcePath, home)}${j.source.format === 'binary' ? ' (binary plist)' : ''}${j.action === 'adopt' && j.desired.plistPath !== j.source.sourcePath ? `, now ${tilde(j.desired.plistPath, home)}` : ''}`);
    for (const note of j.imported.notes) {
      const line = `    ${MARK[note.kind]} ${note.key}: ${note.message}`;
      o.out(note.kind === 'repaired' || note.kind === 'reload' ? c.yellow(line) : note.kind === 'dropped' ? c.dim(line) : line);
    }
    o.out(`    ${j.reload.length > 0 || j.disable ? c.yellow(outcome(j)) : outcome(j)}`);
    const backup = backups[j.imported.label];
    if (backup) o.out(c.dim(`    original plist backed up to ${tilde(backup, home)}`));
  }
  for (const d of plan.warnings) o.err(formatDiagnostic(file, d, o.errColors));
  if (dryRun) {
    o.out(`\n${unifiedDiff(relative(process.cwd(), resolve(file)) || file, before, plan.text)}`);
    o.out(c.dim('\n(dry run: nothing was written)'));
    return;
  }
  const changes = plan.jobs.filter((j) => j.reload.length > 0 || j.disable).map((j) => j.imported.name);
  o.out(`\n${c.green('lotusctl now manages these jobs; none was restarted.')} Next: lotusctl plan -f ${file}  (${changes.length > 0 ? `it shows what is noted above for ${changes.join(', ')}, and nothing else` : 'it shows no changes for them'})`);
}
