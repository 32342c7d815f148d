import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DesiredState } from '../model/desired.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { HostFacts } from '../model/host.js';
import { programsToResolve, secretFiles, toDesiredState } from '../spec/desired.js';
import type { Spec } from '../spec/schema.js';
import { validateSpecText } from '../spec/validate.js';
import { locate } from '../spec/yaml-source.js';
import { gatherHostFacts, homeDir } from './host.js';
import { readSpecFile } from './spec-file.js';
import { LotusctlError } from '../model/errors.js';
import { formatDiagnostic } from '../render/diagnostics.js';
import { noColors } from '../render/colors.js';

export interface LoadedSpec {
  /** The path as given (for messages) and its absolute form. */
  readonly file: string;
  readonly path: string;
  readonly text: string;
  /** Present when the spec is valid. */
  readonly spec?: Spec;
  readonly host?: HostFacts;
  readonly desired?: DesiredState;
  /** Every problem, located, errors and warnings. */
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

export interface LoadOptions {
  strict?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The spec text, read elsewhere (stdin); `file` still says where it lives: relative paths and the monitor's --file. */
  text?: string;
}

/** Read, validate and resolve a spec file against this host: the shell half of "yaml text -> DesiredState". */
export function loadSpec(file: string, opts: LoadOptions = {}): LoadedSpec {
  const path = resolve(file);
  const text = opts.text ?? readSpecFile(path);
  const v = validateSpecText(text, opts.strict ? { strict: true } : {});
  if (!v.spec) return { file, path, text, diagnostics: v.diagnostics, ok: false };
  const env = opts.env ?? process.env;
  const host = gatherHostFacts({ specPath: path, programs: programsToResolve(v.spec), secretFiles: secretFiles(v.spec, homeDir(env), path), env });
  const r = toDesiredState(v.spec, host);
  const hostDiagnostics = r.diagnostics.map((d): Diagnostic => ({
    ...d, ...(opts.strict && d.severity === 'warning' ? { severity: 'error' as const } : {}), ...locate(v.source, d.path),
  }));
  const diagnostics = [...v.diagnostics, ...hostDiagnostics].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  // The owner is the file itself, whatever path or symlink named it.
  const desired = { ...r.desired, owner: { ...r.desired.owner, spec: realpathOr(path) } };
  return { file, path, text, spec: v.spec, host, desired, diagnostics, ok };
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Throws spec.invalid with every error as a detail line when the spec has errors. */
export function requireValid(loaded: LoadedSpec): Required<Pick<LoadedSpec, 'desired' | 'spec' | 'host'>> & LoadedSpec {
  if (!loaded.ok || !loaded.desired || !loaded.spec || !loaded.host) {
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    throw new LotusctlError('spec.invalid', `${loaded.file} has ${errors.length} error${errors.length === 1 ? '' : 's'}`, {
      hint: `run lotusctl validate -f ${loaded.file}`,
      details: errors.map((d) => formatDiagnostic(loaded.file, d, noColors)),
    });
  }
  return loaded as Required<Pick<LoadedSpec, 'desired' | 'spec' | 'host'>> & LoadedSpec;
}
