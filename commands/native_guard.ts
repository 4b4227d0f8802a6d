/**
 * A kernel version runs native code: a bug in it (a SIGSEGV, an abort) would kill the command
 * that drives it. Commands that run a version in their own process (`stress`, `demo`) go
 * through {@linkcode guardNative}: for a kernel version the command runs again in a child,
 * and a native crash of the code under test comes back as what it is, a failure with the
 * kernel's frames named and the command's failure exit code, never a dead command.
 *
 * @example
 * ```ts
 * import { versionArgument } from "./native_guard.ts";
 * console.log(versionArgument(["--stressor", "fork", "--version=kernel-6.1"])); // kernel-6.1
 * ```
 *
 * @module
 */

import { versionFolder, versionKind } from "../core/loader.ts";
import { nativeFailure } from "../bisect/native.ts";

const CHILD_MARK = "MAPLE_NATIVE_GUARD";

/**
 * The value of `--version` in raw arguments, if any.
 *
 * @example
 * ```ts
 * import { versionArgument } from "./native_guard.ts";
 * console.log(versionArgument(["--version", "head"])); // head
 * ```
 */
export function versionArgument(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--version") return args[i + 1];
    if (args[i].startsWith("--version=")) return args[i].slice("--version=".length);
  }
  return undefined;
}

/**
 * For a kernel version, run `entry` with `args` in a child and report a native crash as
 * `label` failing (exit `failCode`); `undefined` when the command should run in-process (a
 * TypeScript version, an unknown one the command will report itself, or already the child).
 *
 * @example
 * ```ts
 * import { guardNative } from "./native_guard.ts";
 * console.log(await guardNative("commands/stress.ts", ["--version", "head"], "fork", 2)); // undefined
 * ```
 */
export async function guardNative(
  entry: string,
  args: readonly string[],
  label: string,
  failCode: number,
): Promise<number | undefined> {
  if (Deno.env.get(CHILD_MARK) === "child") return undefined;
  const version = versionArgument(args);
  if (version === undefined) return undefined;
  try {
    if (versionKind(versionFolder(version)) !== "kernel") return undefined;
  } catch {
    return undefined;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", entry, ...args],
    env: { [CHILD_MARK]: "child" },
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  const native = output.signal !== null ? await nativeFailure(stderr) : undefined;
  const said = stderr.split("\n").filter((line) => !line.startsWith("maple-bisect: ")).join("\n");
  if (said.trim() !== "") Deno.stderr.writeSync(new TextEncoder().encode(said));
  if (native === undefined) {
    if (output.signal !== null) {
      console.log(`${label}: the code under test killed the process with ${output.signal}`);
      return failCode;
    }
    return output.code;
  }
  const fail = `stress-ng: fail:  [${child.pid}] ${label}:`;
  console.log(`${fail} ${native.outcome}: ${native.failure.kind}: ${native.failure.message}`);
  for (const frame of native.failure.frames) console.log(`${fail}   at ${frame}`);
  return failCode;
}
