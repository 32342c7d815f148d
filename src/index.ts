// The programmatic API, for Node provisioning scripts: `import { loadSpec, plan, apply, destroy } from 'lotusctl'`.
export { apply, defaultLaunchctl, destroy, loadSpec, plan, planDestroy, requireValid } from './api.js';
export type { ApplyHooks, ApplyOptions, ApplyResult, LoadedSpec, LoadOptions, Plan, PlanOptions } from './api.js';
export type { ApplyEvent } from './apply/events.js';
export { isEmptyPlan } from './plan/diff.js';
export { decodePlanFile, encodePlanFile } from './plan/plan-file.js';
export { LotusctlError, isLotusctlError } from './model/errors.js';
export type { Diagnostic } from './model/diagnostic.js';
export type { Action, Change, Drift, JobStep, PlanSummary } from './model/plan.js';
export { changeCount } from './model/plan.js';
export { verifyPlan, type PlanBounds } from './plan/verify-plan.js';
export type { DesiredJob, DesiredState } from './model/desired.js';
export type { Spec, ServiceSpec, MonitorSpec } from './spec/schema.js';
export { validateSpecText } from './spec/validate.js';
export { Launchctl } from './system/launchctl.js';
export * from './launchd/parsers.js';
export { classifyLaunchctlFailure, LaunchctlError } from './launchd/launchctl-errors.js';
export { runMonitor, type MonitorRunOptions } from './monitor/loop.js';
export { buildHealthSummary, writeHealthReport } from './system/report-files.js';
