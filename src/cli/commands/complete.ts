import { parse } from 'yaml';
import { readSpecFile } from '../../system/spec-file.js';
import type { Output } from '../output.js';

/**
 * The shape of a service name (SERVICE_NAME_PATTERN in src/spec/schema.ts, which a test keeps equal; importing it
 * would load zod on every Tab). Anything else is never printed: the shells expand what they are given (bash's
 * `compgen -W` would run a `$(...)` in a key of an untrusted lotus.yaml).
 */
export const COMPLETABLE_SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * `lotusctl __complete services [-f FILE]`: the service names of the spec, one per line, for the completion
 * scripts. Reads the YAML only (no validation: a half-written spec still completes) and prints nothing at all on
 * any error, since its output lands in the user's command line.
 */
export function runComplete(what: string, file: string, o: Output): number {
  if (what !== 'services') return 0;
  try {
    const doc = parse(readSpecFile(file)) as { services?: unknown } | null;
    const services = doc?.services;
    if (services !== null && typeof services === 'object' && !Array.isArray(services)) {
      for (const name of Object.keys(services)) if (COMPLETABLE_SERVICE_NAME.test(name)) o.out(name);
    }
  } catch {
    // silent: no spec, unreadable, or not YAML
  }
  return 0;
}
