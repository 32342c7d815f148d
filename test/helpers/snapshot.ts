import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Every entry under `root`: type, mode, size, mtime and content digest (files) or target (links). Equal snapshots = nothing written. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      const base = `${(st.mode & 0o7777).toString(8)} uid=${st.uid}`;
      if (st.isSymbolicLink()) out[r] = `link ${base} -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${base}`;
        walk(p, r);
      } else if (st.isFile()) out[r] = `file ${base} size=${st.size} mtime=${st.mtimeMs} sha256=${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      else out[r] = `other ${base}`;
    }
  };
  walk(root, '');
  return out;
}
