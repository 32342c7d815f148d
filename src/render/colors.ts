/** Colour functions are passed in, so views stay pure; the CLI decides from NO_COLOR and the TTY. */
export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const ansiColors: Colors = {
  bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39),
};

const id = (s: string) => s;
export const noColors: Colors = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };
