/** Progress from the engine; only the CLI decides how to show it (listr2, plain lines, JSON events). */
export type ApplyEvent =
  /** `changes`: what the plan's summary counts (resources); `steps`: the services they belong to. */
  | { readonly type: 'start'; readonly steps: number; readonly changes: number }
  | { readonly type: 'step-start'; readonly service: string; readonly label: string; readonly title: string }
  | { readonly type: 'step-progress'; readonly service: string; readonly message: string }
  | { readonly type: 'step-done'; readonly service: string; readonly message: string }
  | { readonly type: 'step-failed'; readonly service: string; readonly message: string }
  | { readonly type: 'rollback'; readonly service: string; readonly message: string; readonly ok: boolean }
  | { readonly type: 'done'; readonly applied: number }
  /** One line about the run itself, e.g. a stale lock taken over or a crashed run's temporary file removed. */
  | { readonly type: 'note'; readonly message: string };

export interface ApplyHooks {
  onEvent(e: ApplyEvent): void;
}

export const noHooks: ApplyHooks = { onEvent: () => undefined };
