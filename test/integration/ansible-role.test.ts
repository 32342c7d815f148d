// The lotusctl.macos.node role through the repository's example playbook (ansible/lotus-macs.yml) under real
// ansible-playbook on localhost: npm installs lotusctl from a tarball of this repository (`npm pack`, so the public
// registry need not have it), lotus.yaml comes from the role's template, and the module applies it to the doubles.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ansiblePlaybook, ansiblePlaybookBin, collectionsPath } from '../helpers/ansible.js';
import { repoRoot } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';
import { pythonExecutable } from '../fakes/lotus/harness.js';

const DAEMON = 'com.lotusctl.daemon';
const MONITOR = 'com.lotusctl.monitor';
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const SLOW = { timeout: 300_000 };
// The example playbook uses the user domain (Macs reached over SSH).

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

describe('the lotusctl.macos.node role (ansible/lotus-macs.yml)', () => {
  it('pins the version of this package; the README shows this playbook', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const shown = /`ansible\/lotus-macs\.yml`:\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(parse(shown as string)).toEqual(parse(readFileSync(join(collectionsPath, 'lotus-macs.yml'), 'utf8')));
    const defaults = readFileSync(join(collectionsPath, 'ansible_collections/lotusctl/macos/roles/node/defaults/main.yml'), 'utf8');
    expect(/^lotusctl_version: "([^"]+)"$/m.exec(defaults)?.[1]).toBe(version);
    expect(/lotusctl_version: "([^"]+)"/.exec(readFileSync(join(collectionsPath, 'lotus-macs.yml'), 'utf8'))?.[1]).toBe(version);
  });

  it('installs lotusctl with npm and applies lotus.yaml; a second run is changed=0; state=absent removes the jobs', SLOW, async () => {
    // The tarball npm would fetch from the registry, made from this checkout (already built by npm test).
    const packDir = sb.path('pack');
    mkdirSync(packDir);
    const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { ...process.env }, repoRoot);
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')) as string);
    const prefix = sb.path('npm-global');
    const npmCache = (await run('npm', ['config', 'get', 'cache'], { ...process.env }, repoRoot)).stdout.trim();
    const vars = (extra: Record<string, unknown> = {}) => ({
      lotus_hosts: 'localhost',
      lotusctl_npm_source: tarball,
      lotusctl_npm_prefix: prefix,
      // The dependencies come from npm's cache when it has them (npm ci filled it).
      lotusctl_npm_extra_args: ['--prefer-offline'],
      // As Ansible's become (sudo) from the operator's account runs it: root, with SUDO_* naming the operator.
      lotusctl_environment: { ...sb.env, ...sb.sudoEnv(), npm_config_cache: npmCache },
      lotusctl_spec_path: '~/lotus.yaml',
      lotusctl_daemon: {
        program: 'lotus', args: ['daemon'], repo: '~/.lotus', logs: { dir: '~/Library/Logs/lotus' },
        env: { LOTUS_API_LISTENADDRESS: '/ip4/127.0.0.1/tcp/0/http', FAKE_LOTUS_NODE: process.execPath, FAKE_LOTUS_PYTHON: pythonExecutable() },
        throttle_interval: '1s', exit_timeout: '60s', health: { startup_grace: '30s' },
      },
      ...extra,
    });
    const site = join(collectionsPath, 'lotus-macs.yml');

    // Check mode on a Mac without lotusctl: counted as a change (npm would install it), and nothing is installed or written.
    const look = await ansiblePlaybook(sb, site, vars(), ['--check']);
    expect(look.recap, look.output).toMatchObject({ failed: 0, changed: 1 });
    expect(look.stdout).toContain(`would install lotusctl ${version} from ${tarball}`);
    expect(existsSync(prefix)).toBe(false);
    expect(existsSync(join(sb.home, 'lotus.yaml'))).toBe(false);

    const first = await ansiblePlaybook(sb, site, vars());
    expect(first.recap, first.output).toMatchObject({ failed: 0, changed: 2 });
    expect(readFileSync(join(prefix, 'lib/node_modules/lotusctl/package.json'), 'utf8')).toContain(`"version": "${version}"`);
    const spec = join(sb.home, 'lotus.yaml');
    expect(statSync(spec).mode & 0o777).toBe(0o600);
    expect(readFileSync(spec, 'utf8')).toMatch(/^# Ansible managed \(role lotusctl\.macos\.node\)/);
    const daemon = await sb.print(DAEMON, sb.userDomain);
    expect(daemon.pid).toBeGreaterThan(0);
    // The example's monitor section made it through the template: the monitor job runs the npm-installed lotusctl.
    const monitor = await sb.print(MONITOR, sb.userDomain);
    expect(monitor.pid).toBeGreaterThan(0);
    expect(monitor.text).toContain(join(prefix, 'lib/node_modules/lotusctl/dist/cli/main.js'));

    const second = await ansiblePlaybook(sb, site, vars());
    expect(second.recap, second.output).toMatchObject({ failed: 0, changed: 0 });
    expect((await sb.print(DAEMON, sb.userDomain)).pid).toBe(daemon.pid);

    const absent = await ansiblePlaybook(sb, site, vars({ lotusctl_state: 'absent' }));
    expect(absent.recap, absent.output).toMatchObject({ failed: 0, changed: 1 });
    expect((await sb.print(DAEMON, sb.userDomain)).loaded).toBe(false);
    expect((await sb.print(MONITOR, sb.userDomain)).loaded).toBe(false);
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
    // Never the Lotus repo.
    expect(existsSync(join(sb.home, '.lotus'))).toBe(true);
  });

  it('documents the module for ansible-doc', async () => {
    const doc = await run(ansiblePlaybookBin().replace(/ansible-playbook$/, 'ansible-doc'), ['--json', 'lotusctl.macos.node'], {
      PATH: process.env.PATH, HOME: sb.path('ansible-home'), ANSIBLE_COLLECTIONS_PATH: collectionsPath,
    }, sb.root);
    expect(doc.code, doc.stderr).toBe(0);
    const node = JSON.parse(doc.stdout)['lotusctl.macos.node'];
    expect(Object.keys(node.doc.options).sort()).toEqual(['content', 'env', 'executable', 'path', 'spec', 'state', 'targets']);
    expect(Object.keys(node.return)).toEqual(expect.arrayContaining(['plan_changed', 'summary', 'plan', 'error']));
  });
});
