// Declares every command, and loads none of them. Each action imports its implementation when it runs
// (`const { runX } = await import('./commands/x.js')`), so a command pays only for its own modules and `--help`
// loads nothing but commander. Only type imports are static here; test/cli/lazy-loading.test.ts checks what loads.
// Shell completion is generated from these definitions: name a value by what it holds (`<service>`, `<file>`,
// `<dir>`, `[planfile]`) or give it .choices(), and `lotusctl completion` completes it (src/cli/completion/model.ts).
import { Argument, Command, CommanderError, Option } from 'commander';
import type { EngineFlags } from './commands/engine.js';
import type { ReportFlags } from './commands/report.js';
import { interrupt } from './interrupt.js';
import { errorJson, reportError } from './errors.js';
import { makeOutput, type Output } from './output.js';
import { packageVersion } from './version.js';

const DEFAULT_FILE = 'lotus.yaml';

interface Globals { debug?: boolean; color?: boolean }

function fileOption(): Option {
  return new Option('-f, --file <path>', 'the spec file').default(process.env.LOTUSCTL_FILE || DEFAULT_FILE);
}

/** Build the CLI. Every action resolves to an exit code; main.ts is the only caller of process.exit. */
export function buildProgram(setCode: (code: number) => void, signal?: AbortSignal): Command {
  const program = new Command('lotusctl')
    .description('Declarative provisioner for Lotus nodes on macOS: lotus.yaml -> launchd jobs')
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces with errors')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .showHelpAfterError('(run lotusctl --help for usage)')
    // Hardcoded, not imported (this file loads no render module): test/integration/json-versions.test.ts keeps every
    // "(format_version N" here equal to what the command prints.
    .addHelpText('after', '\nWith --json, a command that fails prints one error object (format_version 1, specs/plan-json.md) on stdout and exits 1.')
    .exitOverride();

  const run = (fn: (o: Output, g: Globals) => Promise<number> | number, json = false) => async () => {
    const g = program.opts<Globals>();
    const o = makeOutput({ ...(g.color === false ? { color: false } : {}) });
    try {
      // Under sudo, what lotusctl creates in the operator's home is the operator's (src/system/ownership.ts). Only root
      // can act for someone else: other users skip the module (and its start-up cost).
      if (process.geteuid?.() === 0) (await import('../system/host.js')).actForOperator();
      setCode(await fn(o, g));
    } catch (e) {
      setCode(reportError(e, o, Boolean(g.debug), json));
    }
  };

  program
    .command('validate')
    .description('check lotus.yaml: exit 0 when valid, 1 otherwise; every problem as file:line:col')
    .addOption(fileOption())
    .option('--strict', 'treat warnings as errors')
    .option('--json', 'machine-readable output (format_version 1)')
    .action(function (this: Command) {
      const opts = this.opts<{ file: string; strict?: boolean; json?: boolean }>();
      return run(async (o) => {
        const [{ runValidate }, { loadSpec }] = await Promise.all([import('./commands/validate.js'), import('../system/load-spec.js')]);
        return runValidate(loadSpec(opts.file, { strict: Boolean(opts.strict) }), o, { json: Boolean(opts.json) });
      }, Boolean(opts.json))();
    });

  program
    .command('render')
    .description('print the plist(s) apply would write')
    .addOption(fileOption())
    .option('--service <name>', 'only this service (or "monitor")')
    .action(function (this: Command) {
      const opts = this.opts<{ file: string; service?: string }>();
      return run(async (o) => {
        const [{ runRender }, { loadSpec }] = await Promise.all([import('./commands/render.js'), import('../system/load-spec.js')]);
        return runRender(loadSpec(opts.file), o, opts.service ? { service: opts.service } : {});
      })();
    });

  const collect = (v: string, prev: string[] = []) => [...prev, v];

  program
    .command('plan')
    .description('show what apply would change (read-only)')
    .addOption(fileOption())
    .option('--target <service>', 'plan only this service and what it depends on (repeatable)', collect)
    .option('--replace <service>', 'plan to reload this service (bootout, then bootstrap) even if nothing changed (repeatable)', collect)
    .option('--out <file>', 'save the plan for `lotusctl apply FILE` (mode 0600: it holds secrets; only a new file or an old plan file is written)')
    .option('--detailed-exitcode', 'exit 0: no changes, 1: error, 2: changes present')
    .option('--json', 'machine-readable output (format_version 2, specs/plan-json.md)')
    .option('--destroy', 'plan the removal of everything lotusctl manages for this spec (what destroy would do)')
    .option('--stdin', 'read the spec text from standard input; --file still says where it lives (relative paths, the monitor)')
    .action(function (this: Command) {
      const flags = this.opts<EngineFlags>();
      return run(async (o) => {
        const { runPlan } = await import('./commands/engine.js');
        return runPlan(flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('show <planfile>')
    .description('print a plan saved with plan --out, as plan printed it (read-only; does not look at the machine)')
    .option('--json', 'machine-readable output (format_version 2, specs/plan-json.md)')
    .action(function (this: Command, planfile: string) {
      const flags = this.opts<{ json?: boolean }>();
      return run(async (o) => {
        const { runShow } = await import('./commands/engine.js');
        return runShow(planfile, flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('apply [planfile]')
    .description('make the machine match lotus.yaml (or carry out a saved plan)')
    .addOption(fileOption())
    .option('--target <service>', 'apply only this service and what it depends on (repeatable)', collect)
    .option('--replace <service>', 'reload this service (bootout, then bootstrap) even if nothing changed, like terraform apply -replace (repeatable)', collect)
    .option('--auto-approve', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'one JSON event per line (format_version 2, specs/plan-json.md)')
    .action(function (this: Command, planfile: string | undefined) {
      const flags = this.opts<EngineFlags>();
      return run(async (o) => {
        const { runApply } = await import('./commands/engine.js');
        return runApply(planfile, flags, o, 'apply', signal);
      }, Boolean(flags.json))();
    });

  program
    .command('destroy')
    .description('remove every job lotusctl manages for this spec (never Lotus repos or logs)')
    .addOption(fileOption())
    .option('--target <service>', 'destroy only this service and the services that depend on it (repeatable)', collect)
    .option('--auto-approve', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'one JSON event per line (format_version 2, specs/plan-json.md)')
    .action(function (this: Command) {
      const flags = this.opts<EngineFlags>();
      return run(async (o) => {
        const { runApply } = await import('./commands/engine.js');
        return runApply(undefined, flags, o, 'destroy', signal);
      }, Boolean(flags.json))();
    });

  program
    .command('restart <service>')
    .description('restart an applied service gracefully (launchctl kickstart -k) under the state lock, then wait until it is ready as apply does')
    .addOption(fileOption())
    .option('--json', 'one JSON event per line (format_version 1)')
    .action(function (this: Command, service: string) {
      const flags = this.opts<{ file: string; json?: boolean }>();
      return run(async (o) => {
        const { runRestart } = await import('./commands/restart.js');
        return runRestart(service, flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('drift')
    .description('read-only: exit 0 when the machine matches the last apply, 2 when not')
    .addOption(fileOption())
    .option('--json', 'machine-readable output (format_version 2, specs/plan-json.md)')
    .action(function (this: Command) {
      const flags = this.opts<EngineFlags>();
      return run(async (o) => {
        const { runDrift } = await import('./commands/engine.js');
        return runDrift(flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('force-unlock <id>')
    .description('remove a state lock lotusctl cannot prove dead (taken on another host, or on a network volume)')
    .addOption(fileOption())
    .option('--state-dir <dir>', 'the state folder (default: defaults.state_dir of the spec)')
    .action(function (this: Command, id: string) {
      const flags = this.opts<EngineFlags & { stateDir?: string }>();
      return run(async (o) => {
        const { runForceUnlock } = await import('./commands/engine.js');
        return runForceUnlock(id, flags, o);
      })();
    });

  const monitor = program.command('monitor').description('the health monitor (installed as a launchd job by apply)');
  monitor
    .command('run')
    .description('probe the services on a schedule and restart unhealthy ones (backoff, circuit breaker); SIGTERM stops it')
    .addOption(fileOption())
    .option('--schedule <schedule>', 'a duration ("30s") or a cron expression; default: monitor.schedule')
    .option('--once', 'run one probe round and exit (0: done, 1: could not)')
    .option('--json', 'JSON lines (format_version 1) even on a terminal; always without one, e.g. under launchd')
    .action(function (this: Command) {
      const flags = this.opts<{ file: string; schedule?: string; once?: boolean; json?: boolean }>();
      return run(async (o) => {
        // launchd stops the job with SIGTERM: finish the round in flight, then exit 0; the monitor logs it, not stderr.
        interrupt.graceful = true;
        interrupt.quiet = true;
        const { runMonitor } = await import('../monitor/loop.js');
        // On a terminal, the lines `lotusctl logs --monitor` shows; JSON lines otherwise (launchd's log file, pipes).
        const { renderMonitorLine } = await import('../render/log-lines.js');
        const human = o.isTTY && !flags.json;
        return runMonitor({
          file: flags.file, ...(flags.schedule ? { schedule: flags.schedule } : {}), ...(flags.once ? { once: true } : {}), ...(signal ? { signal } : {}),
          ...(human ? { log: (line: string) => o.out(renderMonitorLine(line, o.colors)) } : {}),
        });
      }, Boolean(flags.json))();
    });

  program
    .command('report')
    .description("summarize the monitor's samples (availability, restarts, chain lag, incidents) into report files")
    .addOption(fileOption())
    .option('--window <duration>', 'how far back', '24h')
    .option('--format <formats>', 'json, md and/or html (repeatable or comma-separated); default: monitor.reports.formats', collect)
    .option('--dir <dir>', 'where to write; default: monitor.reports.dir')
    .option('--print', 'print the markdown summary instead of writing files')
    .action(function (this: Command) {
      const flags = this.opts<ReportFlags>();
      return run(async (o) => {
        const { runReport } = await import('./commands/report.js');
        return runReport(flags, o);
      })();
    });

  program
    .command('status [service]')
    .description('one row per job: launchd state, pid, uptime, last exit, health as the monitor saw it, restarts, chain height (exit 0 all well, 2 not)')
    .addOption(fileOption())
    .option('--json', 'machine-readable output (format_version 1)')
    .option('--watch', 'redraw until Ctrl-C')
    .option('--interval <duration>', 'with --watch: how often', '2s')
    .action(function (this: Command, service: string | undefined) {
      const flags = this.opts<{ file: string; json?: boolean; watch?: boolean; interval?: string }>();
      return run(async (o) => {
        const { runStatus } = await import('./commands/status.js');
        return runStatus(service, flags, o, signal);
      }, Boolean(flags.json))();
    });

  program
    .command('logs [service]')
    .description("the last lines of a service's log files (stdout and stderr, interleaved and labelled); -f follows across rotation")
    // -f is --follow here (as in tail), so the spec file is --file only.
    .addOption(new Option('--file <path>', 'the spec file').default(process.env.LOTUSCTL_FILE || DEFAULT_FILE))
    .option('-n, --lines <n>', 'how many lines', '20')
    .option('-f, --follow', 'keep printing new lines (survives rotation and truncation) until Ctrl-C')
    .option('--stderr', 'only the stderr log')
    .option('--stdout', 'only the stdout log')
    .option('--monitor', "the monitor's JSON log, rendered readably (with SERVICE: only lines about it)")
    .option('--json', 'one JSON object per line (format_version 1)')
    .action(function (this: Command, service: string | undefined) {
      const flags = this.opts<{ file: string; lines?: string; follow?: boolean; stderr?: boolean; stdout?: boolean; monitor?: boolean; json?: boolean }>();
      return run(async (o) => {
        const { runLogs } = await import('./commands/logs.js');
        return runLogs(service, flags, o, signal);
      }, Boolean(flags.json))();
    });

  program
    .command('doctor')
    .description('check everything a Lotus node on macOS needs, each ok/warn/fail with its fix (exit 0 all ok, 2 warnings, 1 failures)')
    .addOption(fileOption())
    .option('--json', 'machine-readable output (format_version 1)')
    .option('--fix', 'repair what is safe and reversible (permissions, ownership, missing folders, an unheld empty repo.lock)')
    .action(function (this: Command) {
      const flags = this.opts<{ file: string; json?: boolean; fix?: boolean }>();
      return run(async (o) => {
        const { runDoctor } = await import('./commands/doctor.js');
        return runDoctor(flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('import <job...>')
    .description('adopt existing launchd jobs (labels or plist paths, XML or binary) into lotus.yaml; never restarts them')
    .option('--out <file>', 'the lotus.yaml to write or merge into', process.env.LOTUSCTL_FILE || DEFAULT_FILE)
    .option('--name <service>', 'the service name (one job only); default from the program or label')
    .option('--dry-run', 'show the lotus.yaml diff and what would happen; write nothing')
    .option('--json', 'machine-readable output (format_version 1)')
    .action(function (this: Command, jobs: string[]) {
      const flags = this.opts<{ out: string; name?: string; dryRun?: boolean; json?: boolean }>();
      return run(async (o) => {
        const { runImport } = await import('./commands/import.js');
        return runImport(jobs, flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('init')
    .description('write a commented lotus.yaml for this machine (finds lotus, its repo and sane limits); never overwrites a file')
    .option('--out <file>', 'the file to create', process.env.LOTUSCTL_FILE || DEFAULT_FILE)
    .option('--domain <domain>', 'gui, user or system (default: gui; user over SSH; system as root)')
    .option('--miner', 'also a lotus-miner service that depends on the daemon')
    .option('--json', 'machine-readable output (format_version 1)')
    .action(function (this: Command) {
      const flags = this.opts<{ out: string; domain?: string; miner?: boolean; json?: boolean }>();
      return run(async (o) => {
        const { runInit } = await import('./commands/init.js');
        return runInit(flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('optimize')
    .description('propose lotus.yaml changes for this machine (limits, priority, restart policy, shutdown time, logging, memory ceiling); exit 2 when there are proposals')
    .addOption(fileOption())
    .option('--write', 'apply the proposals to lotus.yaml, keeping its comments and layout')
    .option('--json', 'machine-readable output (format_version 1)')
    .action(function (this: Command) {
      const flags = this.opts<{ file: string; write?: boolean; json?: boolean }>();
      return run(async (o) => {
        const { runOptimize } = await import('./commands/optimize.js');
        return runOptimize(flags, o);
      }, Boolean(flags.json))();
    });

  program
    .command('schema')
    .description('print the JSON Schema of lotus.yaml (specs/lotus.schema.json)')
    .action(run(async (o) => {
      const { specJsonSchemaText } = await import('../spec/json-schema.js');
      o.out(specJsonSchemaText().trimEnd());
      return 0;
    }));

  program
    .command('completion')
    .description('print the shell completion script: commands, flags, service names from lotus.yaml, plan files')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(function (this: Command, shell: string) {
      return run(async (o) => {
        const { completionScript } = await import('./completion/index.js');
        o.out(completionScript(program, shell).trimEnd());
        return 0;
      })();
    });

  // Called by the completion scripts while the user presses Tab: fast (no validation) and silent on any error.
  program
    .command('__complete', { hidden: true })
    .argument('<what>', 'services')
    .addOption(fileOption())
    .action(function (this: Command, what: string) {
      const opts = this.opts<{ file: string }>();
      return run(async (o) => {
        const { runComplete } = await import('./commands/complete.js');
        return runComplete(what, opts.file, o);
      })();
    });

  return program;
}

/** Parse argv and run; returns the exit code. */
export async function runCli(argv: readonly string[], signal?: AbortSignal): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c), signal);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      // Commander printed the usage error; a script that asked for --json still gets a JSON document.
      if (argv.includes('--json')) process.stdout.write(`${errorJson(`cli.${e.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, e.message.replace(/^error: /, ''), 'run lotusctl --help for usage')}\n`);
      return 1;
    }
    throw e;
  }
  return code;
}
