// Test-only crash injection (never imported by src/): loaded with `node --import` through NODE_OPTIONS, it counts
// the lotusctl CLI process's fs.renameSync calls (every atomic write ends with one) and its fs.rmSync calls (journal
// entries, plists, temporary files), and SIGKILLs it at the Nth one, before or after the call.
//   CRASH_AT_RENAME=N:before|after   which rename, and on which side of it
//   CRASH_AT_RM=N:before|after       which rmSync, and on which side of it
//   CRASH_LOG=/path                  one line per counted call: `rename <n> <destination>` or `rm <n> <path>`
// Other node processes that inherit NODE_OPTIONS (the launchctl double, the fake lotus) are left alone.
import { appendFileSync } from 'node:fs';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

// The CLI as users run it: the bundle (dist/cli/main.js), or the plain tsc output of older builds.
const isCli = /\/dist\/(src\/)?cli\/main\.js$/.test(process.argv[1] ?? '');
const log = process.env.CRASH_LOG;

function patch(name, envName, target) {
  const m = /^(\d+):(before|after)$/.exec(process.env[envName] ?? '');
  if (!m && !log) return;
  const at = m ? Number(m[1]) : 0;
  const side = m ? m[2] : '';
  const original = fs[name];
  let n = 0;
  fs[name] = function crashable(...args) {
    n += 1;
    if (log) appendFileSync(log, `${target} ${n} ${String(args[target === 'rename' ? 1 : 0])}\n`);
    if (n === at && side === 'before') process.kill(process.pid, 'SIGKILL');
    const r = original.apply(fs, args);
    if (n === at && side === 'after') process.kill(process.pid, 'SIGKILL');
    return r;
  };
}

if (isCli) {
  patch('renameSync', 'CRASH_AT_RENAME', 'rename');
  patch('rmSync', 'CRASH_AT_RM', 'rm');
  // Named imports (`import { renameSync } from 'node:fs'`) see the patched functions only after this.
  syncBuiltinESMExports();
}
