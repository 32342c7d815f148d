import { parse } from 'yaml';
import { readSpecFile } from '../../system/spec-file.js';
import type { Output } from '../output.js';

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
      for (const name of Object.keys(services)) o.out(name);
    }
  } catch {
    // silent: no spec, unreadable, or not YAML
  }
  return 0;
}
