/**
 * Ctrl-C handling shared by main.ts and the commands. Outside apply, an interrupt ends the process at once;
 * while apply runs (`graceful`), the first one lets the current step finish and the second one ends it.
 * `quiet`: the command ends normally on the first one (status --watch, logs -f), with no message.
 */
export const interrupt = { controller: new AbortController(), graceful: false, quiet: false };
