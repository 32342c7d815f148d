// `npm run bench`, when ansible-playbook is installed: the lotusctl.macos.node module in check mode against Ansible's
// own community.general.launchd in check mode, on the same installed and running job (the launchctl double), per task.
// Never asserted in tests: speed is reported here (issue 11's target: the module at least 10x faster).
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fakeLaunchctlEnv, stopFakeLaunchd } from '../test/fakes/launchctl/index.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const LABEL = 'com.lotusctl.benchjob';
const OURS = 'lotusctl.macos.node';
const THEIRS = 'community.general.launchd';

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { env, cwd, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The absolute path of a command on PATH, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

interface Timing { task: string; seconds: number; changed: boolean; failed: boolean; msg?: string; status?: { previous_state?: string } }

/** Prints the comparison; returns the ratio (launchd time / module time), or undefined when it could not run. */
export async function benchAnsibleCheckMode(opts: { rounds?: number; log?: (s: string) => void } = {}): Promise<number | undefined> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const rounds = opts.rounds ?? 5;
  const playbookBin = onPath('ansible-playbook');
  if (!playbookBin) {
    log('ansible check mode: skipped (ansible-playbook is not installed; .ci/run installs ansible-core)');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lotusctl-bench-ansible-'));
  const home = join(dir, 'home');
  const bin = join(dir, 'bin');
  const launchd = join(dir, 'launchd');
  const daemons = join(dir, 'LaunchDaemons');
  for (const d of [home, bin, daemons, join(home, 'Library/LaunchAgents')]) mkdirSync(d, { recursive: true });
  try {
    writeFileSync(join(bin, 'sleeper'), '#!/bin/sh\nexec sleep 600\n');
    chmodSync(join(bin, 'sleeper'), 0o755);
    const lotusctl = join(bin, 'lotusctl');
    writeFileSync(lotusctl, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
    chmodSync(lotusctl, 0o755);
    const fake = fakeLaunchctlEnv(launchd, { idleMs: 120_000 });
    const env: Record<string, string> = {
      ...fake, HOME: home, PATH: `${bin}:${fake.PATH}`, LOTUSCTL_SYSTEM_DAEMONS_DIR: daemons, NO_COLOR: '1',
    };
    // `launchctl list` (all community.general.launchd reads) lists the caller's domain: system for root, gui/<uid> otherwise
    // (specs/launchd-behaviour.md), so the job goes where that module can see it.
    const asRoot = process.getuid?.() === 0;
    const spec = join(dir, 'lotus.yaml');
    writeFileSync(spec, [
      'version: 1',
      `defaults: { domain: ${asRoot ? 'system' : 'gui'}, state_dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'services:',
      '  job:',
      `    label: ${LABEL}`,
      `    program: ${join(bin, 'sleeper')}`,
      '    throttle_interval: 1s',
      `    logs: { dir: ${JSON.stringify(join(dir, 'logs'))} }`,
      '',
    ].join('\n'));
    const applied = await run(process.execPath, [cli, 'apply', '--auto-approve', '-f', spec], { ...process.env, ...env }, dir);
    if (applied.code !== 0) {
      log(`ansible check mode: skipped (lotusctl apply of the bench job failed: ${applied.stderr.trim() || applied.stdout.trim()})`);
      return undefined;
    }
    if (asRoot) {
      // community.general.launchd finds a plist only in fixed folders ($HOME/Library/LaunchAgents first, then the real
      // /Library/LaunchDaemons); the sandbox's LaunchDaemons folder is not one, so it reads the same file through this link.
      symlinkSync(join(daemons, `${LABEL}.plist`), join(home, 'Library/LaunchAgents', `${LABEL}.plist`));
    }

    const playbook = join(dir, 'bench.yml');
    writeFileSync(join(dir, 'vars.json'), JSON.stringify({ bench_env: env }));
    const timings = join(dir, 'timings.jsonl');
    const controllerHome = join(dir, 'controller');
    mkdirSync(controllerHome);
    const playbookRun = async (withTheirs: boolean) => {
      const tasks: string[] = [];
      for (let i = 0; i <= rounds; i++) {
        // Interleaved, so that both see the same load; round 0 warms caches and is not counted.
        tasks.push(`    - name: "${OURS} ${i}"\n      ${OURS}: { path: ${JSON.stringify(spec)}, executable: ${JSON.stringify(lotusctl)} }\n      environment: "{{ bench_env }}"`);
        if (withTheirs) tasks.push(`    - name: "${THEIRS} ${i}"\n      ${THEIRS}: { name: ${LABEL}, state: started }\n      environment: "{{ bench_env }}"\n      ignore_errors: true`);
      }
      writeFileSync(playbook, `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`);
      rmSync(timings, { force: true });
      return run(playbookBin, ['-i', 'localhost,', '--check', playbook, '-e', `@${join(dir, 'vars.json')}`], {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: controllerHome,
        ANSIBLE_COLLECTIONS_PATH: join(root, 'ansible'),
        ...(process.env.ANSIBLE_COLLECTIONS_SCAN_SYS_PATH ? { ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: process.env.ANSIBLE_COLLECTIONS_SCAN_SYS_PATH } : {}),
        ANSIBLE_CALLBACK_PLUGINS: join(root, 'bench/ansible-callback'),
        ANSIBLE_CALLBACKS_ENABLED: 'task_timer',
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        LOTUSCTL_BENCH_TIMINGS: timings,
      }, dir);
    };
    let r = await playbookRun(true);
    // Without community.general (ansible-core alone, as CI installs it) the playbook does not even start: measure ours alone.
    const theirsMissing = /couldn't resolve module\/action 'community\.general\.launchd'/.test(r.stdout + r.stderr);
    if (theirsMissing) r = await playbookRun(false);
    let lines: Timing[] = [];
    try {
      lines = readFileSync(timings, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Timing);
    } catch {
      // no timings: reported below
    }
    const counted = (name: string) => lines.filter((l) => l.task.startsWith(`${name} `) && !l.task.endsWith(' 0'));
    const ours = counted(OURS);
    const theirs = counted(THEIRS);
    if (ours.length === 0 || ours.some((t) => t.failed)) {
      log(`ansible check mode: could not run ${OURS} (ansible-playbook exit ${r.code}): ${(ours.find((t) => t.failed)?.msg ?? r.stdout.slice(-2000)).trim()}`);
      return undefined;
    }
    const oursS = median(ours.map((t) => t.seconds));
    const row = (name: string, s: number, changed: string) => log(`  ${name.padEnd(28)} ${s.toFixed(3).padStart(7)} s/task   reports changed=${changed}`);
    log(`ansible check mode, one installed and running job, ${asRoot ? 'system' : 'gui'} domain, launchctl double (median of ${rounds}):`);
    row(OURS, oursS, String(ours.every((t) => t.changed)));
    if (theirs.length === 0 || theirs.some((t) => t.failed)) {
      const why = theirsMissing
        ? 'community.general is not installed (Debian: apt-get install ansible; the tests do not need it)'
        : theirs.find((t) => t.failed)?.msg ?? r.stdout.slice(-1000);
      log(`  ${THEIRS}: could not run: ${String(why).trim()}`);
      return undefined;
    }
    const theirsS = median(theirs.map((t) => t.seconds));
    row(THEIRS, theirsS, `${String(theirs.every((t) => t.changed))} (it saw the job ${[...new Set(theirs.map((t) => t.status?.previous_state ?? '?'))].join('/')})`);
    // Where the module's time goes: lotusctl's own plan (node start-up, observing the job) vs the launchctl calls of theirs.
    const direct = async (cmd: string, args: string[]) => {
      const ts: number[] = [];
      for (let i = 0; i <= rounds; i++) {
        const t0 = process.hrtime.bigint();
        await run(cmd, args, { ...process.env, ...env }, dir);
        if (i > 0) ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      return median(ts);
    };
    log(`  outside Ansible: lotusctl plan --json ${(await direct(lotusctl, ['plan', '--json', '--detailed-exitcode', '-f', spec])).toFixed(3)} s, `
      + `lotusctl --version ${(await direct(lotusctl, ['--version'])).toFixed(3)} s, launchctl list (double; theirs runs it twice) ${(await direct(fake.LOTUSCTL_LAUNCHCTL as string, ['list'])).toFixed(3)} s`);
    const ratio = theirsS / oursS;
    log(`  ${OURS} is ${ratio.toFixed(2)}x the speed of ${THEIRS} (issue 11 target: >= 10x): ${ratio >= 10 ? 'met' : 'NOT met'}`);
    return ratio;
  } finally {
    await stopFakeLaunchd(launchd);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Also runnable alone: node dist/bench/ansible-check-mode.js
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchAnsibleCheckMode();
