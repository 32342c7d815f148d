/**
 * A fatal error. Printed lotus-style as `ERROR: <message>` plus a blank line, or (plain, for urfave/cli exit
 * coders such as `No help topic for 'x'`) as the bare message; then the process exits with `exitCode`.
 */
export class FakeLotusError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly plain = false,
  ) {
    super(message);
    this.name = 'FakeLotusError';
  }
}
