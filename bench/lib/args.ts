/** `--name 12` from the command line as a number, or undefined. */
export function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  return Number.isFinite(v) ? v : undefined;
}

/** `--quick` etc. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
