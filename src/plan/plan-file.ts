import * as z from 'zod';
import { LotusctlError } from '../model/errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../model/plan.js';

const KIND = 'lotusctl-plan';

/** A saved plan: JSON with a kind and a format version. It holds secret values (the plist bytes): write it 0600. */
export function encodePlanFile(plan: Plan): string {
  return `${JSON.stringify({ kind: KIND, format_version: PLAN_FORMAT_VERSION, plan }, null, 2)}\n`;
}

const domain = z.object({ kind: z.enum(['gui', 'user', 'system']), uid: z.number().int().optional() });
const step = z.object({
  service: z.string(), name: z.string(), kind: z.enum(['service', 'monitor']), label: z.string(), domain, plistPath: z.string(),
  digest: z.string().optional(),
  plist: z.union([
    z.object({ action: z.literal('write'), text: z.string(), mode: z.number().int(), digest: z.string() }),
    z.object({ action: z.literal('remove') }),
    z.object({ action: z.literal('keep') }),
  ]),
  ops: z.array(z.enum(['bootout', 'enable', 'bootstrap', 'kickstart'])),
  directories: z.array(z.string()),
  target: z.enum(['running', 'stopped', 'absent']),
  dependsOn: z.array(z.string()),
  sensitiveKeys: z.array(z.string()),
  readiness: z.object({
    throttleSeconds: z.number(), stderrPath: z.string().optional(), repo: z.string().optional(), api: z.string().optional(), startupGraceMs: z.number().optional(),
  }).optional(),
});
const planSchema = z.looseObject({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  mode: z.enum(['apply', 'destroy']),
  changes: z.array(z.looseObject({ address: z.string(), action: z.enum(['create', 'update', 'replace', 'delete', 'no-op']) })),
  drift: z.array(z.looseObject({ kind: z.string() })),
  steps: z.array(step),
  summary: z.object({ add: z.number(), change: z.number(), destroy: z.number(), unchanged: z.number() }),
  fingerprint: z.string(),
  observed: z.object({ targets: z.array(z.object({ label: z.string(), domain, plistPath: z.string() })), directories: z.array(z.string()) }),
  stateDir: z.string(),
  specPath: z.string().optional(),
  createdAt: z.string(),
  leftovers: z.array(z.object({ kind: z.enum(['temp-file', 'stale-lock', 'unproven-lock']), path: z.string(), pid: z.number().int(), message: z.string() })).optional(),
});

/** Read a saved plan; refuses other kinds and other format versions with a clear error. */
export function decodePlanFile(text: string, file: string): Plan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LotusctlError('plan.file-invalid', `${file} is not a lotusctl plan file (not JSON)`, { hint: 'create one with lotusctl plan --out FILE', cause: e });
  }
  const head = doc as { kind?: unknown; format_version?: unknown; plan?: unknown };
  if (head?.kind !== KIND) throw new LotusctlError('plan.file-invalid', `${file} is not a lotusctl plan file`, { hint: 'create one with lotusctl plan --out FILE' });
  if (head.format_version !== PLAN_FORMAT_VERSION) {
    throw new LotusctlError('plan.file-version', `${file} has plan format ${String(head.format_version)}; this lotusctl reads format ${PLAN_FORMAT_VERSION}`, { hint: 'make the plan again with this version of lotusctl' });
  }
  const parsed = planSchema.safeParse(head.plan);
  if (!parsed.success) {
    throw new LotusctlError('plan.file-invalid', `${file} is damaged: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { hint: 'make the plan again with lotusctl plan --out FILE' });
  }
  return parsed.data as unknown as Plan;
}
