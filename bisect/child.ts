/**
 * How the bisect starts its `deno` children (probes, type checks, load checks): in the
 * suite's root so they find `deno.json`, without colours or stdin, with their output piped.
 * An entry point of the suite runs sandboxed as every probe does: V8's old space capped,
 * read and env permissions, FFI only for libraries in the kernel build cache, and no
 * permission prompt to hang on.
 *
 * @example
 * ```ts
 * import { killChild, sandboxedRun, spawnDeno } from "./child.ts";
 * const child = spawnDeno(sandboxedRun("bisect/load_main.ts", 128, ["core/head"]));
 * const timer = setTimeout(() => killChild(child), 10_000);
 * console.log((await child.output()).success); // true
 * clearTimeout(timer);
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir as kernelCacheDir } from "../core/kernel/config.ts";

/** The suite's root folder: the children run there so they find `deno.json`. */
export const SUITE_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The arguments of `deno run` on `entry` in the probes' sandbox, followed by `args`.
 *
 * @example
 * ```ts
 * import { sandboxedRun } from "./child.ts";
 * console.log(sandboxedRun("workloads/probe_main.ts", 256, ["--spec", "{}"]).join(" "));
 * // run --quiet --no-prompt --v8-flags=--max-old-space-size=256 --allow-read --allow-env --allow-ffi=/…/.cache workloads/probe_main.ts --spec {}
 * ```
 */
export function sandboxedRun(entry: string, memoryMb: number, args: readonly string[]): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    `--v8-flags=--max-old-space-size=${memoryMb}`,
    "--allow-read",
    "--allow-env",
    // Kernel versions are libraries built into the cache; nothing else may be loaded.
    `--allow-ffi=${kernelCacheDir()}`,
    entry,
    ...args,
  ];
}

/**
 * Start `deno` with `args` in the suite's root, stdout and stderr piped.
 *
 * @example
 * ```ts
 * import { spawnDeno } from "./child.ts";
 * const { success } = await spawnDeno(["check", "--quiet", "core/head/mod.ts"]).output();
 * console.log(success); // true
 * ```
 */
export function spawnDeno(args: readonly string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd: SUITE_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Kill `child` at once (SIGKILL: a version stuck in a loop ignores nothing less); a child
 * that is already gone is fine.
 *
 * @example
 * ```ts
 * import { killChild, spawnDeno } from "./child.ts";
 * const child = spawnDeno(["eval", "for (;;) {}"]);
 * killChild(child);
 * console.log((await child.status).signal); // SIGKILL
 * ```
 */
export function killChild(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}
