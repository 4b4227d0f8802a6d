/**
 * Small helpers shared by the results commands (bench, compare, history, report, export): a one-line error exit and list flags.
 *
 * @example
 * ```ts
 * import { splitList } from "./results_cli.ts";
 * console.log(splitList("a, b", "--versions")); // ["a", "b"]
 * ```
 *
 * @module
 */

/**
 * Print `error: <message>` to stderr and exit with status 2 (bad usage), no stack trace.
 *
 * @example
 * ```ts
 * import { fail } from "./results_cli.ts";
 * if (Deno.args.length > 3) fail("too many arguments");
 * ```
 */
export function fail(message: string): never {
  console.error(`error: ${message}`);
  Deno.exit(2);
}

/**
 * Split a comma-separated flag value; an empty list is a usage error.
 *
 * @example
 * ```ts
 * import { splitList } from "./results_cli.ts";
 * console.log(splitList("head", "--versions")); // ["head"]
 * ```
 */
export function splitList(value: string, flag: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) fail(`${flag} needs at least one name`);
  return items;
}
