// The functional core (model, spec, launchd, plan, render, report, status, doctor) computes from its arguments only:
// no file system, no subprocess, no progress UI, no scheduler, no host probing, no src/system.
const core = '^src/(model|spec|launchd|plan|render|report|status|doctor)/';
const forbiddenFromCore = [
  '^(node:)?(fs|fs/promises|child_process|os|net|http|https|worker_threads|cluster|dgram)$',
  'node_modules/(execa|listr2|node-cron|systeminformation|write-file-atomic)/',
  '^src/(system|observe|apply|monitor|cli)/',
];

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'The core must not touch the OS: move the I/O to src/system and pass the data in.',
      severity: 'error',
      from: { path: core },
      to: { path: forbiddenFromCore },
    },
    {
      name: 'core-is-pure-builtins',
      comment: 'The core must not import OS-facing Node built-ins.',
      severity: 'error',
      from: { path: core },
      to: { dependencyTypes: ['core'], path: '^(fs|fs/promises|child_process|os|net|http|https|worker_threads|cluster|dgram)$' },
    },
    {
      name: 'only-system-runs-launchctl',
      comment: 'Only src/system may import execa: one module owns each external binary.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/system/' },
      to: { path: 'node_modules/execa/' },
    },
    {
      name: 'only-cli-knows-listr2',
      comment: 'Views compute nothing and the engine reports through hooks; only the CLI renders progress.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: 'node_modules/listr2/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
