/**
 * What lotusctl optimize and init know about the Mac: gathered by src/system/machine.ts, passed into the pure
 * decisions as data, so the decisions are table-tested with fixed machines.
 */
export interface VolumeFacts {
  /** Mount point, e.g. `/` or `/Volumes/Chain`. */
  readonly mount: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
}

export interface MachineFacts {
  /** `darwin` on a Mac. */
  readonly platform: string;
  /** macOS product version (`14.5`); the kernel release elsewhere. */
  readonly osVersion?: string;
  /** Logical CPU cores. */
  readonly cpuCores: number;
  readonly physicalCores?: number;
  readonly memoryBytes: number;
  /** Mounted volumes; a path's volume is the longest mount that contains it. */
  readonly volumes: readonly VolumeFacts[];
  /** kern.maxfilesperproc: a process cannot raise its open-files limit above it (specs/lotus-operations.md §4). */
  readonly maxFilesPerProc?: number;
  /** kern.maxfiles: open files for the whole system. */
  readonly maxFiles?: number;
}

/** The volume holding `path` (longest mount point that is a prefix of it), if known. */
export function volumeOf(facts: MachineFacts, path: string): VolumeFacts | undefined {
  const inside = (m: string) => m === '/' || path === m || path.startsWith(`${m}/`);
  return [...facts.volumes].filter((v) => inside(v.mount)).sort((a, b) => b.mount.length - a.mount.length)[0];
}
