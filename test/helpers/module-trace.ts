// Which modules a run of the built CLI loads: a Node module hook (`--import`) appends every URL it loads to a file,
// ES modules through the loader hooks and CommonJS ones (the CLI's bundle files, dist/cli/*.cjs) through
// Module._load, and esbuild's metafile (dist/cli-meta.json) maps each loaded bundle file back to the sources inside it.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { repoRoot } from './cli.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOTUSCTL_MODULE_TRACE, url + '\\n');
  return next(url, context);
}
`;

// require() of a file or a built-in, by what it resolves to: every CommonJS module a run loads, cached or not.
const REGISTER = `import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.apply(this, arguments);
  try {
    const url = Module.isBuiltin(request) ? (request.startsWith('node:') ? request : 'node:' + request) : pathToFileURL(Module._resolveFilename(request, parent, isMain)).href;
    appendFileSync(process.env.LOTUSCTL_MODULE_TRACE, url + '\\n');
  } catch {
    // not a file this trace can name
  }
  return loaded;
};
`;

export class ModuleTrace {
  private readonly dir = mkdtempSync(join(tmpdir(), 'lotusctl-trace-'));
  private readonly log = join(this.dir, 'loaded.txt');
  private readonly register = join(this.dir, 'register.mjs');

  constructor() {
    // The CLI may run as the sandbox's operator (not root): it must write the log here.
    chmodSync(this.dir, 0o777);
    writeFileSync(join(this.dir, 'hooks.mjs'), HOOKS);
    writeFileSync(this.register, REGISTER);
  }

  /** Node arguments and environment for a traced run. */
  get nodeArgs(): string[] {
    return ['--import', pathToFileURL(this.register).href];
  }

  get env(): Record<string, string> {
    return { LOTUSCTL_MODULE_TRACE: this.log };
  }

  /**
   * The repository paths of every source module loaded since the last call (src/cli/main.ts, node_modules/zod/...):
   * bundle files are expanded to their inputs, anything else loaded from disk is listed as itself, and Node's own
   * modules as their specifiers (node:child_process).
   */
  take(): string[] {
    const meta = JSON.parse(readFileSync(join(repoRoot, 'dist/cli-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    let urls: string[] = [];
    try {
      urls = readFileSync(this.log, 'utf8').split('\n').filter((u) => u.startsWith('file:') || u.startsWith('node:'));
    } catch {
      // nothing loaded from disk
    }
    rmSync(this.log, { force: true });
    return [...new Set(urls.flatMap((u) => {
      if (u.startsWith('node:')) return [u];
      const path = relative(repoRoot, fileURLToPath(u));
      const out = meta.outputs[path];
      return out ? Object.keys(out.inputs) : [path];
    }))].sort();
  }

  stop(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
