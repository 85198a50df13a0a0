/** Command-line options shared by the training scripts: `--key value` pairs and bare `--flag`s, checked. */

export type Options = Record<string, string>;

/** Parse argv; unknown options, stray arguments and missing values are errors that list what is accepted. */
export function parseOptions(argv: string[], known: readonly string[], flags: readonly string[] = []): Options {
  const out: Options = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) throw new Error(`unexpected argument '${argv[i]}' (options start with --)`);
    const key = argv[i].slice(2);
    if (!known.includes(key)) throw new Error(`unknown option --${key}; known: ${known.map((x) => "--" + x).join(", ")}`);
    if (flags.includes(key)) out[key] = "1";
    else {
      if (i + 1 >= argv.length) throw new Error(`--${key} needs a value`);
      out[key] = argv[++i];
    }
  }
  return out;
}

/** A numeric option, or `fallback` when absent; a non-number is an error naming the option. */
export function numberOption(options: Options, key: string, fallback: number): number {
  if (!(key in options)) return fallback;
  const v = Number(options[key]);
  if (!Number.isFinite(v)) throw new Error(`--${key} must be a number, got '${options[key]}'`);
  return v;
}
