import '../model/zod-config.js';
import * as z from 'zod';
import { LotusctlError } from '../model/errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../model/plan.js';
import { canonicalJson, sha256 } from './digest.js';

const KIND = 'lotusctl-plan';

/** The digest a plan file carries: sha256 over the canonical JSON of the whole plan. */
export function planDigest(plan: Plan): string {
  return sha256(canonicalJson(plan));
}

/**
 * A saved plan: JSON with a kind, a format version and a digest of the plan. It holds secret values (the plist
 * bytes): write it 0600. The digest catches a plan edited or damaged after it was saved; it cannot stop someone who
 * recomputes it, which is why apply also verifies what the plan would do (src/plan/verify-plan.ts).
 */
export function encodePlanFile(plan: Plan): string {
  return `${JSON.stringify({ kind: KIND, format_version: PLAN_FORMAT_VERSION, digest: planDigest(plan), plan }, null, 2)}\n`;
}

/** True when `text` is a lotusctl plan file of any version (so `plan --out` may overwrite it). */
export function isPlanFileText(text: string): boolean {
  try {
    return (JSON.parse(text) as { kind?: unknown })?.kind === KIND;
  } catch {
    return false;
  }
}

const domain = z.object({ kind: z.enum(['gui', 'user', 'system']), uid: z.number().int().optional() });
const owner = z.object({ spec: z.string(), name: z.string().optional() });
const step = z.object({
  service: z.string(), name: z.string(), kind: z.enum(['service', 'monitor']), label: z.string(), domain, plistPath: z.string(),
  from: z.object({
    label: z.string(), domain, plistPath: z.string(), ops: z.array(z.enum(['bootout', 'enable'])), removePlist: z.boolean(),
  }).optional(),
  digest: z.string().optional(),
  plist: z.union([
    z.object({ action: z.literal('write'), text: z.string(), mode: z.number().int(), digest: z.string() }),
    z.object({ action: z.literal('remove') }),
    z.object({ action: z.literal('keep') }),
  ]),
  ops: z.array(z.enum(['disable', 'bootout', 'enable', 'bootstrap', 'kickstart'])),
  directories: z.array(z.string()),
  target: z.enum(['running', 'stopped', 'absent']),
  dependsOn: z.array(z.string()),
  sensitiveKeys: z.array(z.string()),
  watch: z.record(z.string(), z.unknown()).optional(),
  readiness: z.object({
    throttleSeconds: z.number(), stderrPath: z.string().optional(), repo: z.string().optional(), api: z.string().optional(), startupGraceMs: z.number().optional(),
  }).optional(),
});
const planSchema = z.looseObject({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  mode: z.enum(['apply', 'destroy']),
  changes: z.array(z.looseObject({
    address: z.string(), service: z.string(), resource: z.enum(['directory', 'plist', 'job', 'record']),
    action: z.enum(['create', 'update', 'replace', 'delete', 'no-op']),
  })),
  drift: z.array(z.looseObject({ kind: z.string() })),
  steps: z.array(step),
  summary: z.object({ add: z.number(), change: z.number(), replace: z.number(), destroy: z.number(), unchanged: z.number() }),
  fingerprint: z.string(),
  observed: z.object({ targets: z.array(z.object({ label: z.string(), domain, plistPath: z.string() })), directories: z.array(z.string()) }),
  stateDir: z.string(),
  specPath: z.string().optional(),
  owner,
  lastAppliedAt: z.string().optional(),
  createdAt: z.string(),
  leftovers: z.array(z.object({ kind: z.enum(['temp-file', 'stale-lock', 'journal-entry', 'unproven-lock']), path: z.string(), pid: z.number().int(), message: z.string() })).optional(),
});

const remake = 'make the plan again with lotusctl plan --out FILE';

/** Read a saved plan; refuses other kinds, other format versions, damaged files and a digest that does not match. */
export function decodePlanFile(text: string, file: string): Plan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LotusctlError('plan.file-invalid', `${file} is not a lotusctl plan file (not JSON)`, { hint: 'create one with lotusctl plan --out FILE', cause: e });
  }
  const head = doc as { kind?: unknown; format_version?: unknown; digest?: unknown; plan?: unknown };
  if (head?.kind !== KIND) throw new LotusctlError('plan.file-invalid', `${file} is not a lotusctl plan file`, { hint: 'create one with lotusctl plan --out FILE' });
  if (head.format_version !== PLAN_FORMAT_VERSION) {
    throw new LotusctlError('plan.file-version', `${file} has plan format ${String(head.format_version)}; this lotusctl reads format ${PLAN_FORMAT_VERSION}`, { hint: 'make the plan again with this version of lotusctl' });
  }
  const parsed = planSchema.safeParse(head.plan);
  if (!parsed.success) {
    throw new LotusctlError('plan.file-invalid', `${file} is damaged: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { hint: remake });
  }
  // The digest is over the plan as written (not as parsed, which would drop unknown keys).
  if (typeof head.digest !== 'string' || head.digest !== planDigest(head.plan as Plan)) {
    throw new LotusctlError('plan.file-integrity', `${file} was changed after lotusctl saved it (its digest does not match)`, {
      hint: `nothing was done; ${remake}`,
    });
  }
  return parsed.data as unknown as Plan;
}
