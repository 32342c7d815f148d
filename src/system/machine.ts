// The machine's facts for optimize and init: systeminformation for CPU, memory, OS and volumes, sysctl for the
// open-files ceiling. LOTUSCTL_MACHINE_FACTS (a JSON file) replaces them, so tests and the demo see a fixed Mac.
import { execa } from 'execa';
import si from 'systeminformation';
import '../model/zod-config.js';
import * as z from 'zod';
import type { MachineFacts } from '../model/machine.js';
import { LotusctlError } from '../model/errors.js';
import { readFileCapped } from './read-file.js';

const count = z.number().int().nonnegative();
const factsFile = z.strictObject({
  platform: z.string(),
  os_version: z.string().optional(),
  cpu_cores: count,
  physical_cores: count.optional(),
  memory_bytes: count,
  volumes: z.array(z.strictObject({ mount: z.string(), size_bytes: count, free_bytes: count })).default([]),
  max_files_per_proc: count.optional(),
  max_files: count.optional(),
});

function fromFile(path: string): MachineFacts {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileCapped(path, 'state').toString('utf8'));
  } catch (e) {
    throw new LotusctlError('machine.facts-unreadable', `LOTUSCTL_MACHINE_FACTS=${path}: ${(e as Error).message}`, { hint: 'point it at a JSON file of machine facts, or unset it', cause: e });
  }
  const r = factsFile.safeParse(raw);
  if (!r.success) throw new LotusctlError('machine.facts-invalid', `LOTUSCTL_MACHINE_FACTS=${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { hint: 'see src/system/machine.ts for the fields' });
  const f = r.data;
  return {
    platform: f.platform, cpuCores: f.cpu_cores, memoryBytes: f.memory_bytes,
    volumes: f.volumes.map((v) => ({ mount: v.mount, sizeBytes: v.size_bytes, freeBytes: v.free_bytes })),
    ...(f.os_version !== undefined ? { osVersion: f.os_version } : {}),
    ...(f.physical_cores !== undefined ? { physicalCores: f.physical_cores } : {}),
    ...(f.max_files_per_proc !== undefined ? { maxFilesPerProc: f.max_files_per_proc } : {}),
    ...(f.max_files !== undefined ? { maxFiles: f.max_files } : {}),
  };
}

/** kern.maxfilesperproc and kern.maxfiles on macOS (`sysctl -n`); undefined elsewhere or when sysctl fails. */
async function fileCeilings(platform: string): Promise<{ maxFilesPerProc?: number; maxFiles?: number }> {
  if (platform !== 'darwin') return {};
  try {
    const r = await execa('/usr/sbin/sysctl', ['-n', 'kern.maxfilesperproc', 'kern.maxfiles'], { timeout: 5000, reject: false });
    const [perProc, all] = r.stdout.split('\n').map((l) => Number(l.trim()));
    return {
      ...(Number.isSafeInteger(perProc) && (perProc as number) > 0 ? { maxFilesPerProc: perProc as number } : {}),
      ...(Number.isSafeInteger(all) && (all as number) > 0 ? { maxFiles: all as number } : {}),
    };
  } catch {
    return {};
  }
}

/** This machine's facts (or LOTUSCTL_MACHINE_FACTS's). A fact that cannot be read is left out, never guessed. */
export async function gatherMachineFacts(env: NodeJS.ProcessEnv = process.env): Promise<MachineFacts> {
  if (env.LOTUSCTL_MACHINE_FACTS) return fromFile(env.LOTUSCTL_MACHINE_FACTS);
  const [cpu, mem, os, fs] = await Promise.all([si.cpu(), si.mem(), si.osInfo(), si.fsSize().catch(() => [])]);
  const platform = os.platform || process.platform;
  return {
    platform,
    ...(os.release ? { osVersion: os.release } : {}),
    cpuCores: cpu.cores,
    ...(cpu.physicalCores ? { physicalCores: cpu.physicalCores } : {}),
    memoryBytes: mem.total,
    volumes: fs.filter((v) => v.mount && v.size > 0).map((v) => ({ mount: v.mount, sizeBytes: v.size, freeBytes: v.available })),
    ...(await fileCeilings(platform)),
  };
}
