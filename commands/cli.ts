/**
 * What every command file shares: a usage error type, a runner that turns bad input into a
 * one-line message and the command's exit code for it (never a stack trace), and the parsing
 * of flag values (lists, integers, durations, stressor names).
 *
 * Each command declares itself with {@linkcode defineCommand}, runs with
 * {@linkcode runCommand} (which returns the exit code, so its entry point stays callable), and
 * names the family of exit codes it follows: `stress`, `fuzz`, `shrink` and `replay` follow
 * stress-ng ({@linkcode STRESS_NG}: bad input exits 1); `bench`, `compare`, `export`,
 * `history`, `report` and `demo` follow {@linkcode UNIX_TOOL} (bad input exits
 * {@linkcode EXIT_USAGE}, 2), except that `compare`, which exits 1 when something got worse,
 * gives an internal error 3 instead of 1; `bisect` exits 2 as well, and `probe` exits 128 so
 * that `git bisect run` aborts. A flag's value may be a negative number (`--ops -5`), so that
 * the command's own check, not the parser, says what the flag allows.
 *
 * @example
 * ```ts
 * import { defineCommand, runCommand, UNIX_TOOL, UsageError } from "./cli.ts";
 * const demo = defineCommand({
 *   name: "demo",
 *   help: "usage: demo [ARG]",
 *   options: {},
 *   allowPositionals: true,
 *   conventions: UNIX_TOOL,
 * });
 * const code = await runCommand(demo, ["one"], ({ positionals }) => {
 *   if (positionals.length > 1) throw new UsageError("too many arguments");
 *   return 0;
 * });
 * console.log(code); // 0
 * ```
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { STRESSOR_NAMES, type StressorName } from "../workloads/probe_types.ts";

/**
 * Bad input from the user: reported in one line, with the command's usage exit code.
 *
 * @example
 * ```ts
 * import { isUsageError, UsageError } from "./cli.ts";
 * const error = new UsageError("--version is required (see --help)");
 * console.log(isUsageError(error), error.message); // true --version is required (see --help)
 * ```
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Exit code for bad usage, as most Unix tools use it (stress-ng's commands use 1).
 *
 * @example
 * ```ts
 * import { EXIT_USAGE } from "./cli.ts";
 * console.log(EXIT_USAGE); // 2
 * ```
 */
export const EXIT_USAGE = 2;

/**
 * Errors that are the user's fault, known by name so that those of other layers count too
 * (bisect's own `UsageError`, an unknown version, layout or case file, a rejected probe,
 * records that hold nothing to compare).
 */
const USAGE_ERROR_NAMES = new Set([
  "UsageError",
  "UnknownVersionError",
  "LayoutError",
  "CaseFileError",
  "ProbeSpecRejected",
  "SelectionError",
]);

/**
 * Whether `error` is the user's fault rather than the suite's.
 *
 * @example
 * ```ts
 * import { isUsageError, UsageError } from "./cli.ts";
 * console.log(isUsageError(new UsageError("no")), isUsageError(new RangeError("bug"))); // true false
 * ```
 */
export function isUsageError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (USAGE_ERROR_NAMES.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * How a family of commands reports failure: its exit codes and how it words an error.
 *
 * @example
 * ```ts
 * import type { Conventions } from "./cli.ts";
 * const bisectLike: Conventions = { usageExit: 2, internalExit: 1, internalStack: true };
 * ```
 */
export interface Conventions {
  /** Exit code for bad input (a flag the parser refuses, a {@linkcode UsageError}, …). */
  readonly usageExit: number;
  /**
   * Exit code for an unexpected error of the suite itself. Keep it apart from the codes the
   * command returns as findings, so that a caller can tell a finding from a crash.
   */
  readonly internalExit: number;
  /**
   * Print an unexpected error as `internal error: <stack>`, a bug to report, instead of the
   * one line `unexpected error: <message>`.
   */
  readonly internalStack?: boolean;
  /** Said after a flag the parser refuses, e.g. `" (see --help)"`. */
  readonly parseHint?: string;
}

/**
 * stress-ng's conventions (`stress`, `fuzz`, `shrink`, `replay`): 0 passed, 1 bad input,
 * 2 the code under test failed, 3 out of resources; an unexpected error also exits 1.
 *
 * @example
 * ```ts
 * import { STRESS_NG } from "./cli.ts";
 * console.log(STRESS_NG.usageExit); // 1
 * ```
 */
export const STRESS_NG: Conventions = { usageExit: 1, internalExit: 1 };

/**
 * The conventions of most Unix tools, kept by the results commands (`bench`, `compare`,
 * `export`, `history`, `report`) and `demo`: bad input exits {@linkcode EXIT_USAGE} (2) with
 * one line; an unexpected error exits 1 with its stack, a bug to report. Like `diff`,
 * `compare` exits 1 when it finds something worse, so it moves its internal error to 3.
 *
 * @example
 * ```ts
 * import { UNIX_TOOL } from "./cli.ts";
 * console.log(UNIX_TOOL.usageExit, UNIX_TOOL.internalExit); // 2 1
 * ```
 */
export const UNIX_TOOL: Conventions = {
  usageExit: EXIT_USAGE,
  internalExit: 1,
  internalStack: true,
  parseHint: " (see --help)",
};

/**
 * A command for {@linkcode runCommand}: its name (the prefix of its messages), help text,
 * flags (`-h/--help` is added) and conventions.
 *
 * @example
 * ```ts
 * import { type CommandSpec, STRESS_NG } from "./cli.ts";
 * const spec: CommandSpec<{ all: { type: "boolean" } }> = {
 *   name: "replay",
 *   help: "usage: …",
 *   options: { all: { type: "boolean" } },
 *   conventions: STRESS_NG,
 * };
 * ```
 */
export interface CommandSpec<T extends ParseArgsOptionsConfig> {
  readonly name: string;
  readonly help: string;
  readonly options: T;
  /** Whether the command takes positional arguments (default: no). */
  readonly allowPositionals?: boolean;
  readonly conventions: Conventions;
}

/**
 * Declare a command for {@linkcode runCommand}, keeping the exact types of its flags (so
 * `ParsedCommand<typeof spec.options>` knows which are strings, lists or booleans).
 *
 * @example
 * ```ts
 * import { defineCommand, STRESS_NG } from "./cli.ts";
 * const COMMAND = defineCommand({
 *   name: "replay",
 *   help: "usage: …",
 *   options: { all: { type: "boolean", default: false } },
 *   conventions: STRESS_NG,
 * });
 * ```
 */
export function defineCommand<T extends ParseArgsOptionsConfig>(
  spec: CommandSpec<T>,
): CommandSpec<T> {
  return spec;
}

/**
 * The flags and positional arguments {@linkcode runCommand} hands to a command.
 *
 * @example
 * ```ts
 * import type { ParsedCommand } from "./cli.ts";
 * const parsed: ParsedCommand<{ all: { type: "boolean" } }> = { values: {}, positionals: [] };
 * ```
 */
export interface ParsedCommand<T extends ParseArgsOptionsConfig> {
  readonly values: ParsedFlags<T>;
  readonly positionals: string[];
}

/** A value that can only be a negative number, never a flag: no flag name starts with a digit. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `args` with each negative number that follows a flag taking a value joined to that flag
 * (`--ops -5` becomes `--ops=-5`). parseArgs refuses a value that starts with a dash as
 * "ambiguous"; joined, it reaches the command's own check, which names the flag and the
 * allowed range.
 */
function joinNegativeValues(
  args: readonly string[],
  options: ParseArgsOptionsConfig,
): string[] {
  const takesValue = (arg: string): boolean => {
    if (arg.startsWith("--")) return options[arg.slice(2)]?.type === "string";
    return arg.length === 2 && arg[0] === "-" &&
      Object.values(options).some((o) => o.short === arg[1] && o.type === "string");
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (next !== undefined && NEGATIVE_NUMBER.test(next) && takesValue(arg)) {
      // A short flag takes its value glued on (`-n-5`); `-n=-5` would keep the `=`.
      out.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parse `args` by `spec` and run `main`, returning the exit code rather than exiting, so a
 * command's entry point stays callable. `--help` prints the help and gives 0; a refused flag
 * or any usage error ({@linkcode isUsageError}) prints `<name>: <message>` in one line and
 * gives the usage exit code; anything else is an internal error worded and coded by the
 * spec's conventions. A negative number after a flag that takes a value is that flag's value
 * (`--ops -5` reads as `--ops=-5`), which parseArgs alone refuses as "ambiguous".
 *
 * @example
 * ```ts
 * import { defineCommand, runCommand, STRESS_NG, UsageError } from "./cli.ts";
 * const spec = defineCommand({
 *   name: "greet",
 *   help: "usage: greet --who NAME",
 *   options: { who: { type: "string" } },
 *   conventions: STRESS_NG,
 * });
 * const code = await runCommand(spec, ["--who", "tree"], ({ values }) => {
 *   if (!values.who) throw new UsageError("--who is required");
 *   console.log(`hello, ${values.who}`);
 *   return 0;
 * });
 * console.log(code); // 0
 * ```
 */
export async function runCommand<T extends ParseArgsOptionsConfig>(
  spec: CommandSpec<T>,
  args: readonly string[],
  main: (parsed: ParsedCommand<T>) => number | Promise<number>,
): Promise<number> {
  const { name, conventions } = spec;
  let parsed: ParsedCommand<T> & { values: { help?: boolean } };
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, spec.options),
      options: { ...spec.options, help: { type: "boolean", short: "h", default: false } },
      strict: true,
      allowPositionals: spec.allowPositionals ?? false,
    }) as ParsedCommand<T> & { values: { help?: boolean } };
  } catch (error) {
    console.error(`${name}: ${firstLine(error)}${conventions.parseHint ?? ""}`);
    return conventions.usageExit;
  }
  if (parsed.values.help) {
    console.log(spec.help);
    return 0;
  }
  try {
    return await main(parsed);
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`${name}: ${firstLine(error)}`);
      return conventions.usageExit;
    }
    console.error(
      conventions.internalStack
        ? `${name}: internal error: ${(error as Error).stack ?? error}`
        : `${name}: unexpected error: ${firstLine(error)}`,
    );
    return conventions.internalExit;
  }
}

/**
 * Split a comma-separated flag value; an empty list throws a {@linkcode UsageError} naming
 * the flag.
 *
 * @example
 * ```ts
 * import { splitList } from "./cli.ts";
 * console.log(splitList("v1.0.0, head", "--versions")); // ["v1.0.0", "head"]
 * ```
 */
export function splitList(value: string, flag: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one name`);
  return items;
}

/**
 * The integer a flag gives (`fallback` when it is absent); anything but digits making a
 * safe integer of at least `min` throws a {@linkcode UsageError} naming the flag.
 *
 * @example
 * ```ts
 * import { integerFlag } from "./cli.ts";
 * console.log(integerFlag("jobs", "4", 2, 1), integerFlag("jobs", undefined, 2, 1)); // 4 2
 * ```
 */
export function integerFlag(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} wants an integer >= ${min}, got "${text}"`);
  }
  return Number(text);
}

/**
 * Parse `500ms`, `10s`, `2m`, `1h` or a bare number of seconds into milliseconds; anything
 * else throws a {@linkcode UsageError} naming `--<flag>`.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./cli.ts";
 * console.log(parseDuration("2m"), parseDuration("500ms")); // 120000 500
 * ```
 */
export function parseDuration(text: string, flag = "timeout"): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`--${flag} wants a duration like 500ms, 10s or 2m, got "${text}"`);
  }
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Number(match[1]) * scale;
}

/**
 * The step test's flags of `compare` and `history`: `--threshold` in percent (the smallest
 * change that counts) and `--alpha` (the significance level); bad values throw a
 * {@linkcode UsageError} naming the flag.
 *
 * @example
 * ```ts
 * import { stepTestFlags } from "./cli.ts";
 * console.log(stepTestFlags("10", "0.05")); // { threshold: 0.1, alpha: 0.05 }
 * ```
 */
export function stepTestFlags(
  thresholdPercent: string,
  alphaText: string,
): { threshold: number; alpha: number } {
  const threshold = Number(thresholdPercent) / 100;
  const alpha = Number(alphaText);
  if (!(threshold >= 0)) {
    throw new UsageError(
      `--threshold wants a percentage >= 0, got "${thresholdPercent}"`,
    );
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new UsageError(`--alpha wants a number between 0 and 1, got "${alphaText}"`);
  }
  return { threshold, alpha };
}

/**
 * A stressor name given on the command line; an unknown one throws a {@linkcode UsageError}
 * that lists the known ones.
 *
 * @example
 * ```ts
 * import { stressorFlag } from "./cli.ts";
 * console.log(stressorFlag("fork")); // fork
 * ```
 */
export function stressorFlag(text: string): StressorName {
  const stressor = text as StressorName;
  if (!STRESSOR_NAMES.includes(stressor)) {
    throw new UsageError(`unknown stressor "${text}" (known: ${STRESSOR_NAMES.join(", ")})`);
  }
  return stressor;
}

/**
 * The values `parseArgs` gives for `options`.
 *
 * @example
 * ```ts
 * import type { ParsedFlags } from "./cli.ts";
 * const values: ParsedFlags<{ dir: { type: "string" } }> = { dir: "results/runs" };
 * ```
 */
export type ParsedFlags<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: T; strict: true }>
>["values"];
