/**
 * What the commands' tests share: running a command file as a child process from the
 * repository root, as `deno task` does, and capturing its exit code and output.
 *
 * @example
 * ```ts
 * import { runCommandFile } from "./test_support.ts";
 * const ran = await runCommandFile("stress.ts", ["--help"]);
 * console.log(ran.code, ran.stdout.startsWith("usage:")); // 0 true
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, the working folder of every command.
 *
 * @example
 * ```ts
 * import { join } from "node:path";
 * import { ROOT } from "./test_support.ts";
 * console.log(join(ROOT, "core", "manifest.json"));
 * ```
 */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * What a command run gave: its exit code and its output, decoded.
 *
 * @example
 * ```ts
 * import type { Ran } from "./test_support.ts";
 * const ran: Ran = { code: 1, stdout: "", stderr: "stress: unknown stressor \"nope\"\n" };
 * ```
 */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `commands/<file>` with `args` in a child Deno with every permission, from the
 * repository root; `env` adds to the environment (e.g. a private `MAPLE_CACHE_DIR`).
 *
 * @example
 * ```ts
 * import { runCommandFile } from "./test_support.ts";
 * const ran = await runCommandFile("bisect.ts", ["--bogus"]);
 * console.log(ran.code); // 2
 * ```
 */
export async function runCommandFile(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Ran> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "commands", file), ...args],
    cwd: ROOT,
    env: { ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/**
 * Assert that a command refused its input the way the suite promises: exit `code`, one line
 * on stderr matching `message`, and no stack trace.
 *
 * @example
 * ```ts
 * import { assertRefused } from "./test_support.ts";
 * assertRefused({ code: 2, stdout: "", stderr: "merge: shard 2/3 missing\n" }, 2, /missing/);
 * ```
 */
export function assertRefused(ran: Ran, code: number, message: RegExp): void {
  assert.equal(ran.code, code, ran.stderr + ran.stdout);
  assert.match(ran.stderr, message);
  assert.equal(ran.stderr.trim().split("\n").length, 1, `one line: ${ran.stderr}`);
  assert.doesNotMatch(ran.stderr, /\bat .*:\d+:\d+/, "no stack trace");
}
