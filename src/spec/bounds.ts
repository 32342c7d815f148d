// The upper bound of every number lotus.yaml takes, each with its reason (documented in specs/lotus-yaml.md, "Bounds").
// Bounds keep every value inside the integer type launchd stores it in, so no `1e+23` ever reaches a plist.

/**
 * Durations: 2^31-1 seconds (about 68 years). launchd keeps ExitTimeOut and StartInterval as `unsigned int` and
 * ThrottleInterval as `time_t` seconds (launchd_core_logic.c, Apple's launchd sources as mirrored in
 * freebsd/openlaunchd); 2^31-1 fits a signed and an unsigned 32-bit integer alike.
 */
export const MAX_DURATION_SECONDS = 2 ** 31 - 1;
export const MAX_DURATION_MS = MAX_DURATION_SECONDS * 1000;
/**
 * Interval schedules: 24 days. Node's timers hold at most 2^31-1 ms (about 24.8 days) and fire at once when given
 * more, so a longer interval would turn into a busy loop (use a cron expression for anything rarer).
 */
export const MAX_INTERVAL_MS = 24 * 86_400_000;
/**
 * Sizes: 2^53-1 bytes (8 PiB), the largest integer JavaScript holds exactly; below plist's signed 64-bit integers
 * and the unsigned 64-bit rlim_t that setrlimit takes.
 */
export const MAX_SIZE_BYTES = Number.MAX_SAFE_INTEGER;
/** Counts (open files, processes, epochs, peers, restarts): 2^31-1, the kernel's `int` (kern.maxfilesperproc, kern.maxproc). */
export const MAX_COUNT = 2 ** 31 - 1;
/** `lotusctl report --window`: ten years, longer than any samples retention. */
export const MAX_REPORT_WINDOW_MS = 3660 * 86_400_000;
/** monitor.samples_retention: ten years at most, like the report window. */
export const MAX_RETENTION_MS = MAX_REPORT_WINDOW_MS;
/** monitor.reports.retention: ten years at most, like the samples retention. */
export const MAX_REPORT_RETENTION_MS = MAX_REPORT_WINDOW_MS;
/** monitor.reports.retention: at least an hour, so an hourly report outlives the next probe round that prunes. */
export const MIN_REPORT_RETENTION_MS = 3_600_000;
/** monitor.reports.keep: report files per format; the monitor lists and sorts the folder on every round, so bounded. */
export const MAX_REPORTS_KEPT = 100_000;
/** monitor.log_rotation.keep: rotated copies per log. */
export const MAX_ROTATED_LOGS = 100;
/** monitor.log_rotation.max_size: smaller would rotate on every tick. */
export const MIN_LOG_ROTATE_BYTES = 1024;
/** A label names the file `<label>.plist`, which must fit NAME_MAX (255 bytes): 255 - 6 = 249 characters. */
export const MAX_LABEL_LENGTH = 249;
