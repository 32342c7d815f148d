/**
 * Ctrl-C handling shared by main.ts and the commands. Outside apply, an interrupt ends the process at once;
 * while apply runs (`graceful`), the first one lets the current step finish and the second one ends it.
 * `quiet`: the first one ends the command normally with no message from main.ts (status --watch, logs -f, and the
 * monitor, which logs the stop itself: under launchd stderr is a file where "press Ctrl-C" means nothing); the
 * second one ends the process at once. The abort reason is the signal's name.
 */
export const interrupt = { controller: new AbortController(), graceful: false, quiet: false };
