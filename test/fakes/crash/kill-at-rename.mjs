// Test-only crash injection (never imported by src/): loaded with `node --import` through NODE_OPTIONS, it counts
// fs.renameSync calls of the lotusctl CLI process and SIGKILLs it at the Nth one, before or after the rename.
//   CRASH_AT_RENAME=N:before|after   which call, and on which side of it
//   CRASH_LOG=/path                  one line per counted call: `rename <n> <destination>`
// Other node processes that inherit NODE_OPTIONS (the launchctl double, the fake lotus) are left alone.
import { appendFileSync } from 'node:fs';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const isCli = (process.argv[1] ?? '').endsWith('/dist/src/cli/main.js');
const spec = process.env.CRASH_AT_RENAME ?? '';
const log = process.env.CRASH_LOG;
const m = /^(\d+):(before|after)$/.exec(spec);
if (isCli && (m || log)) {
  const at = m ? Number(m[1]) : 0;
  const side = m ? m[2] : '';
  const original = fs.renameSync;
  let n = 0;
  fs.renameSync = function renameSync(from, to) {
    n += 1;
    if (log) appendFileSync(log, `rename ${n} ${String(to)}\n`);
    if (n === at && side === 'before') process.kill(process.pid, 'SIGKILL');
    const r = original.call(fs, from, to);
    if (n === at && side === 'after') process.kill(process.pid, 'SIGKILL');
    return r;
  };
  // Named imports (`import { renameSync } from 'node:fs'`) see the patched function only after this.
  syncBuiltinESMExports();
}
