/**
 * What every command file shares: a usage error type, a runner that turns bad input into a
 * one-line message and exit code 2 (never a stack trace), and list-flag parsing.
 *
 * @example
 * ```ts
 * import { runCli, UsageError } from "./cli.ts";
 * await runCli("demo", (args) => {
 *   if (args.length > 1) throw new UsageError("too many arguments");
 *   return 0;
 * });
 * ```
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Bad input from the user: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit code for bad usage, as stress-ng and most Unix tools use it. */
export const EXIT_USAGE = 2;

/** Whether `error` is the user's fault rather than the suite's. */
export function isUsageError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof UsageError) return true;
  if (error.name === "UnknownVersionError" || error.name === "LayoutError") return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/**
 * Run a command's `main` with `Deno.args` and exit with its code. Usage errors print
 * `<name>: <message>` on stderr and exit 2.
 */
export async function runCli(
  name: string,
  main: (args: string[]) => number | Promise<number>,
): Promise<never> {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`${name}: ${error.message}`);
      Deno.exit(EXIT_USAGE);
    }
    throw error;
  }
}

/**
 * Print `error: <message>` to stderr and exit with status 2 (bad usage), no stack trace.
 *
 * @example
 * ```ts
 * import { fail } from "./cli.ts";
 * if (Deno.args.length > 3) fail("too many arguments");
 * ```
 */
export function fail(message: string): never {
  console.error(`error: ${message}`);
  Deno.exit(EXIT_USAGE);
}

/**
 * Split a comma-separated flag value; an empty list is a usage error.
 *
 * @example
 * ```ts
 * import { splitList } from "./cli.ts";
 * console.log(splitList("head", "--versions")); // ["head"]
 * ```
 */
export function splitList(value: string, flag: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) fail(`${flag} needs at least one name`);
  return items;
}

/**
 * Parse `args` against `options` plus `-h/--help`: a parse error is a usage error (one line,
 * exit 2) and `--help` prints `help` and exits 0, so each command declares only its flags.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./cli.ts";
 * const flags = parseFlags({ dir: { type: "string", default: "results/runs" } }, "usage: …");
 * console.log(flags.dir);
 * ```
 */
export function parseFlags<T extends ParseArgsOptionsConfig>(
  options: T,
  help: string,
  args: string[] = Deno.args,
): ParsedFlags<T> {
  let values: ParsedFlags<T> & { help?: boolean };
  try {
    values = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h", default: false } },
      strict: true,
    }).values as ParsedFlags<T> & { help?: boolean };
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(help);
    Deno.exit(0);
  }
  return values;
}

/** The values `parseArgs` gives for `options`. */
export type ParsedFlags<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: T; strict: true }>
>["values"];
