/**
 * Ctrl-C handling shared by main.ts and the commands. Outside apply, an interrupt ends the process at once;
 * while apply runs (`graceful`), the first one lets the current step finish and the second one ends it.
 */
export const interrupt = { controller: new AbortController(), graceful: false };
