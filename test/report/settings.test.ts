// monitor.reports from lotus.yaml as the monitor and `lotusctl report` use it: defaults filled in, folder resolved.
import { describe, expect, it } from 'vitest';
import { reportSettings } from '../../src/report/index.js';
import { validateSpecText } from '../../src/spec/validate.js';

const host = { home: '/Users/ada', specPath: '/etc/lotus/lotus.yaml' };
const spec = (monitor: string) => {
  const v = validateSpecText(`version: 1\nservices:\n  node:\n    program: /bin/sleep\n${monitor}`);
  if (!v.spec) throw new Error(JSON.stringify(v.diagnostics));
  return v.spec;
};

describe('reportSettings', () => {
  it.each([
    ['no monitor section: the schema defaults', '', { schedule: '0 0 * * *', dir: '/Users/ada/Library/Logs/lotusctl/reports', formats: ['json', 'html'] }],
    ['a monitor section without reports: the same defaults', 'monitor: {}\n', { schedule: '0 0 * * *', dir: '/Users/ada/Library/Logs/lotusctl/reports', formats: ['json', 'html'] }],
    ['~ is the home folder', 'monitor:\n  reports: { dir: ~/r, schedule: 1h, formats: [md] }\n', { schedule: '1h', dir: '/Users/ada/r', formats: ['md'] }],
    ['$HOME too', 'monitor:\n  reports: { dir: $HOME/r/ }\n', { dir: '/Users/ada/r' }],
    ['a relative folder is next to the spec', 'monitor:\n  reports: { dir: reports }\n', { dir: '/etc/lotus/reports' }],
    ['an absolute folder stays', 'monitor:\n  reports: { dir: /var/log/lotus/../r }\n', { dir: '/var/log/r' }],
  ])('%s', (_, monitor, want) => expect(reportSettings(spec(monitor), host)).toMatchObject(want));
});
