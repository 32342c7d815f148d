#!/usr/bin/env node
// A provisioning script using lotusctl's programmatic API, the way an Ansible/MDM/CI step would:
// validate, plan, apply only when something changed, report in JSON, and exit 0 (unchanged), 2 (changed) or 1 (failed).
//   node examples/provision.mjs path/to/lotus.yaml
import { apply, isEmptyPlan, isLotusctlError, loadSpec, plan } from 'lotusctl';

const file = process.argv[2] ?? 'lotus.yaml';
try {
  const spec = loadSpec(file);
  for (const d of spec.diagnostics) console.error(`${file}:${d.line}:${d.col}  ${d.severity}: ${d.message}`);
  if (!spec.ok) process.exit(1);

  const p = await plan(spec);
  // isEmptyPlan: the same test as "No changes", `plan --detailed-exitcode` and the summary counts.
  if (isEmptyPlan(p)) {
    console.log(JSON.stringify({ changed: false, drift: p.drift.length }));
    process.exit(0);
  }
  const events = [];
  const result = await apply(p, { hooks: { onEvent: (e) => events.push(e.type) } });
  console.log(JSON.stringify({ changed: true, summary: p.summary, applied: result.applied, services: result.services.map((s) => s.service), events: events.length }));
  process.exit(2);
} catch (e) {
  if (!isLotusctlError(e)) throw e;
  console.error(`error[${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
  process.exit(1);
}
