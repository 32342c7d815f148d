// `lotusctl import`, the pure half: located plists + the current lotus.yaml -> the new lotus.yaml text and, per job,
// what to write. It checks that lotusctl renders each imported job exactly as launchd understands its plist, so
// that after the import `plan` shows nothing to do for it (or, for a repaired job, exactly the reload).
import { posix } from 'node:path';
import type { DomainKind } from '../launchd/domain.js';
import type { LoadedDefinition } from '../model/actual.js';
import type { DesiredJob, DesiredState, PlistDict } from '../model/desired.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { InternalError, LotusctlError } from '../model/errors.js';
import type { HostFacts } from '../model/host.js';
import { limitsInEffectDiffer, loadedDifferences } from '../launchd/loaded-definition.js';
import { canonicalJson } from '../plan/digest.js';
import { toDesiredState } from './desired.js';
import { importPlist, serviceNameFor, type ImportedService, type ProgramLookup } from './import-plist.js';
import { SERVICE_NAME_PATTERN } from './schema.js';
import { serviceLabel } from './semantic.js';
import { validateSpecText } from './validate.js';
import { applyYamlEdits, yamlDocument } from './yaml-edit.js';

/** One plist to import, as found on the machine (see observe/locate-job.ts). */
export interface ImportSource {
  readonly label: string;
  readonly sourcePath: string;
  readonly format: 'xml' | 'binary';
  readonly dict: PlistDict;
  readonly location: 'agents' | 'daemons' | 'global-agents' | 'elsewhere';
  readonly loaded?: {
    readonly domain: { readonly kind: DomainKind };
    readonly pid?: number;
    readonly exitTimeout?: number;
    /** What `launchctl print` shows launchd loaded (compared with the plist as plan compares it). */
    readonly definition?: LoadedDefinition;
  };
  /** True when launchd has a disable override for the label (print-disabled). */
  readonly disabled?: boolean;
  readonly domain: DomainKind;
}

export interface ImportInput {
  /** Absolute path of lotus.yaml. */
  readonly specPath: string;
  /** Its text, when it exists (it must be valid). */
  readonly existingText?: string;
  readonly sources: readonly ImportSource[];
  /** Service name for a single import (--name). */
  readonly name?: string;
  readonly programs: Readonly<Record<string, ProgramLookup>>;
  /** Facts for the existing spec's programs and secrets; the importer adds the new secrets. */
  readonly host: HostFacts;
  /** Labels lotusctl already manages (state.json). */
  readonly managedLabels: ReadonlySet<string>;
  /** ISO date for the "imported from" comment. */
  readonly today: string;
}

/**
 * adopt: lotusctl manages the job from now on (recorded in state.json). template: the plist is neither loaded nor
 * in a launchd folder, so there is nothing to adopt; lotus.yaml describes it and `apply` installs it.
 */
export type ImportAction = 'adopt' | 'template';

export interface ImportJobPlan {
  readonly source: ImportSource;
  readonly imported: ImportedService;
  readonly desired: DesiredJob;
  readonly action: ImportAction;
  /** canonical: write lotusctl's rendering at lotusctl's path; none: a template, nothing is written. */
  readonly plist: 'canonical' | 'none';
  /** The source file goes away (after a backup): it was in a launchd folder under another name. */
  readonly removeSource: boolean;
  readonly state: 'running' | 'stopped';
  /**
   * Why `plan` will reload the job after the import, as plan says it: what launchd shows of the loaded job that differs
   * from the plist lotusctl writes (launchd reads a plist only when it loads a job). [] when plan shows no change.
   */
  readonly reload: readonly string[];
  /** For a stopped job: plan adds a disable override (stopped means "not loaded, and not at login or boot either"). */
  readonly disable: boolean;
}

export interface ImportPlanResult {
  readonly text: string;
  readonly created: boolean;
  readonly stateDir: string;
  /** The spec that owns the imported jobs from now on (state.json records it, as apply does). */
  readonly owner: DesiredState['owner'];
  readonly jobs: readonly ImportJobPlan[];
  /** Validation warnings of the new lotus.yaml (errors are thrown). */
  readonly warnings: readonly Diagnostic[];
}

const collision = (message: string, hint: string) => new LotusctlError('import.collision', message, { hint });

function mostCommon(kinds: readonly DomainKind[]): DomainKind {
  const counts = new Map<DomainKind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'gui';
}

/** Plan an import. Throws import.* errors for collisions and plists lotus.yaml cannot express; nothing is written. */
export function planImport(input: ImportInput): ImportPlanResult {
  if (input.sources.length === 0) throw new LotusctlError('import.nothing', 'nothing to import', { hint: 'give one or more labels or plist paths' });
  if (input.name !== undefined && input.sources.length !== 1) throw new LotusctlError('import.name-needs-one', '--name names one service, but several jobs were given', { hint: 'import them one at a time with --name, or without --name' });
  if (input.name !== undefined && !SERVICE_NAME_PATTERN.test(input.name)) throw new LotusctlError('import.bad-name', `--name ${input.name}: a service name is lower-case letters, digits and "-", starting with a letter`, { hint: 'e.g. --name daemon' });

  const existing = input.existingText === undefined ? undefined : validateSpecText(input.existingText).spec;
  if (input.existingText !== undefined && !existing) {
    throw new LotusctlError('import.spec-invalid', `${input.specPath} is not a valid lotus.yaml`, { hint: `fix it first (lotusctl validate -f ${input.specPath}); import never writes into a file it cannot read` });
  }
  const defaultsDomain = existing?.defaults.domain ?? mostCommon(input.sources.map((s) => s.domain));
  const names = new Map<string, string>();
  const labels = new Map<string, string>();
  for (const [n] of Object.entries(existing?.services ?? {})) {
    names.set(n, `service "${n}" in ${posix.basename(input.specPath)}`);
    labels.set(serviceLabel(existing!, n), `service "${n}" in ${posix.basename(input.specPath)}`);
  }
  if (existing?.monitor) labels.set(existing.monitor.label, `the monitor in ${posix.basename(input.specPath)}`);

  const specDir = posix.dirname(input.specPath);
  const imported: Array<{ source: ImportSource; svc: ImportedService }> = [];
  for (const source of input.sources) {
    if (source.location === 'global-agents') {
      throw new LotusctlError('import.unsupported-location', `${source.sourcePath} is a LaunchAgent for every user (/Library/LaunchAgents)`, {
        hint: 'lotusctl manages per-user agents in ~/Library/LaunchAgents and daemons in /Library/LaunchDaemons; move it to one of them first',
      });
    }
    if (input.managedLabels.has(source.label)) {
      throw collision(`${source.label} is already managed by lotusctl`, 'it is in lotusctl\'s state already: edit its service in lotus.yaml instead of importing it');
    }
    const other = labels.get(source.label);
    if (other) throw collision(`label ${source.label} is already used by ${other}`, 'remove that service first, or import into another lotus.yaml (--out)');
    const name = input.name ?? serviceNameFor(source.dict);
    const taken = names.get(name);
    if (taken) throw collision(`service name "${name}" (for ${source.label}) is already used by ${taken}`, `give it another name: lotusctl import ${source.sourcePath} --name NAME`);
    names.set(name, `${source.label} (imported too)`);
    labels.set(source.label, `${source.sourcePath} (imported too)`);
    const notLoadedInstalled = !source.loaded && source.location !== 'elsewhere';
    const svc = importPlist(source.dict, {
      name, home: input.host.home, specDir, programs: input.programs, jobDomain: source.domain,
      ...(input.host.volumesDir !== undefined ? { volumesDir: input.host.volumesDir } : {}),
      ...(input.host.wait4path !== undefined ? { wait4path: input.host.wait4path } : {}),
      ...(source.domain !== defaultsDomain ? { domain: source.domain } : {}),
      ...(notLoadedInstalled ? { state: 'stopped' as const } : {}),
      ...(source.loaded?.exitTimeout !== undefined ? { printedExitTimeout: source.loaded.exitTimeout } : {}),
    });
    imported.push({ source, svc });
  }

  const comment = (s: ImportSource) => `imported by lotusctl on ${input.today} from ${s.sourcePath}`;
  const created = input.existingText === undefined;
  const text = created
    ? yamlDocument(
      {
        version: 1,
        defaults: { domain: defaultsDomain },
        services: Object.fromEntries(imported.map(({ svc }) => [svc.name, svc.service])),
      },
      [
        `lotus.yaml written by \`lotusctl import\` on ${input.today} from:`,
        ...imported.map(({ source }) => `  ${source.sourcePath}${source.loaded ? ` (loaded in ${source.loaded.domain.kind})` : ''}`),
        'Every field is documented in specs/lotus-yaml.md; `lotusctl optimize` proposes settings for a Lotus node.',
      ],
    )
    : applyYamlEdits(input.existingText as string, imported.map(({ source, svc }) => ({ path: ['services', svc.name], value: svc.service, comment: comment(source) })));

  const v = validateSpecText(text);
  if (!v.spec) {
    // A value lotus.yaml refuses (a control character, a number past its bounds): say which, change nothing.
    const errors = v.diagnostics.filter((d) => d.severity === 'error');
    throw new LotusctlError('import.unsupported', `lotus.yaml cannot hold ${errors.length === 1 ? 'a value' : 'values'} of ${input.sources.map((x) => x.label).join(', ')}`, {
      hint: 'fix the plist (or write the service by hand), then import again; nothing was changed',
      details: errors.map((d) => `${d.path.join('.')}: ${d.message}`),
    });
  }
  const secrets = Object.fromEntries(imported.flatMap(({ svc }) => svc.secrets.map((s) => [s.path, s.value] as const)));
  const host: HostFacts = { ...input.host, specPath: input.specPath, secrets: { ...input.host.secrets, ...secrets } };
  const r = toDesiredState(v.spec, host);
  const hostErrors = r.diagnostics.filter((d) => d.severity === 'error');
  if (hostErrors.length > 0) throw new InternalError(`the imported lotus.yaml cannot be resolved: ${hostErrors.map((d) => d.message).join('; ')}`);

  const jobs = imported.map(({ source, svc }): ImportJobPlan => {
    const desired = r.desired.jobs.find((j) => j.label === svc.label);
    if (!desired) throw new InternalError(`imported service ${svc.name} has no job`);
    // The check that makes import safe: lotusctl must render the job exactly as launchd understands the plist.
    if (canonicalJson(desired.plist) !== canonicalJson(svc.expected)) {
      const keys = [...new Set([...Object.keys(desired.plist), ...Object.keys(svc.expected)])]
        .filter((k) => canonicalJson(desired.plist[k]) !== canonicalJson(svc.expected[k])).sort();
      throw new InternalError(`importing ${svc.label} would change ${keys.join(', ')}`);
    }
    const loaded = source.loaded !== undefined;
    const action: ImportAction = loaded || source.location !== 'elsewhere' ? 'adopt' : 'template';
    const system = desired.domain.kind === 'system';
    const def = source.loaded?.definition;
    // What plan will see: the loaded copy against the plist written now (as the planner compares them).
    const reload = loaded
      ? [...loadedDifferences(desired.plist, def, { plistPath: desired.plistPath, system }), ...limitsInEffectDiffer(desired.plist, def?.resourceLimits)]
      : [];
    // Against the plist as it was: the loaded job already differed from it (edited since it was loaded).
    const stale = new Set(loaded ? loadedDifferences(source.dict, def, { plistPath: source.sourcePath, system }) : []);
    const notes = [...svc.notes, ...reload.map((k) => ({
      kind: 'reload' as const, key: k,
      message: stale.has(k) ? 'the loaded job already differed from its plist here (edited since launchd loaded it): plan reloads it'
        : 'launchd shows the loaded job as the old plist spelled it: plan reloads it once so that launchd\'s copy matches lotus.yaml',
    }))];
    const state = loaded || action === 'template' ? 'running' : 'stopped';
    return {
      source, imported: { ...svc, notes }, desired, action, plist: action === 'template' ? 'none' : 'canonical',
      removeSource: action === 'adopt' && source.location !== 'elsewhere' && source.sourcePath !== desired.plistPath,
      state, reload, disable: action === 'adopt' && state === 'stopped' && source.disabled !== true,
    };
  });
  return { text, created, stateDir: r.desired.stateDir, owner: r.desired.owner, jobs, warnings: v.diagnostics.filter((d) => d.severity === 'warning') };
}
