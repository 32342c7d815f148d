import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { cliPath, repoRoot } from './cli.js';
import type { Sandbox } from './sandbox.js';

/** The collection's parent: ANSIBLE_COLLECTIONS_PATH finds lotusctl.macos under ansible/ansible_collections/. */
export const collectionsPath = join(repoRoot, 'ansible');

/** ansible-playbook from PATH. Missing is a failure, never a skip: CI installs it. */
export function ansiblePlaybookBin(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'ansible-playbook'), constants.X_OK);
      return join(dir, 'ansible-playbook');
    } catch {
      // not in this folder
    }
  }
  throw new Error('ansible-playbook is not installed: these tests run real Ansible. Run .ci/run (it installs ansible-core when missing), or apt-get install --no-install-recommends ansible-core');
}

export interface Recap { ok: number; changed: number; unreachable: number; failed: number; skipped: number; ignored: number }
export interface PlaybookResult { code: number; stdout: string; stderr: string; recap: Recap; output: string }

/** The localhost line of PLAY RECAP. */
export function parseRecap(stdout: string): Recap {
  const m = /^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=\d+\s+ignored=(\d+)/m.exec(stdout);
  if (!m) throw new Error(`no PLAY RECAP in ansible-playbook's output:\n${stdout.slice(-3000)}`);
  const [ok, changed, unreachable, failed, skipped, ignored] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return { ok, changed, unreachable, failed, skipped, ignored };
}

/** `lotusctl` for the module: the built CLI, as the module would find an npm-installed one. */
export function lotusctlWrapper(sb: Sandbox): string {
  return sb.script('lotusctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"`);
}

/**
 * Run a real ansible-playbook on localhost (connection local) from the sandbox root. Ansible itself gets a HOME and temp
 * folders of its own in the sandbox root, outside the sandbox HOME, so that a check-mode run can be compared file by file;
 * `vars` become extra vars (the playbook passes the sandbox env to the module with `environment:`).
 */
export function ansiblePlaybook(sb: Sandbox, playbook: string, vars: Record<string, unknown>, flags: readonly string[] = []): Promise<PlaybookResult> {
  const bin = ansiblePlaybookBin();
  const controller = sb.path('ansible-controller');
  mkdirSync(join(controller, 'tmp'), { recursive: true });
  const varsFile = sb.path('ansible-vars.json');
  writeFileSync(varsFile, JSON.stringify(vars));
  return new Promise((resolve) => {
    execFile(bin, ['-i', 'localhost,', '-c', 'local', ...flags, playbook, '-e', `@${varsFile}`], {
      cwd: sb.root,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: controller,
        LANG: 'C.UTF-8',
        ANSIBLE_COLLECTIONS_PATH: collectionsPath,
        ANSIBLE_LOCAL_TEMP: join(controller, 'tmp'),
        ANSIBLE_REMOTE_TEMP: join(controller, 'tmp'),
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_DEPRECATION_WARNINGS: '0',
      },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      const out = String(stdout);
      resolve({ code, stdout: out, stderr: String(stderr), recap: parseRecap(out), output: `${out}\n${String(stderr)}` });
    });
  });
}

/** Every file, folder and link under `dir` with its mode and content digest: equal snapshots mean nothing changed. */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const key = relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`;
        walk(p);
      } else out[key] = `file ${mode} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}
