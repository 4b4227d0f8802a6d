/**
 * Decides whether a version can be probed at all: a TypeScript version must type-check
 * against the contract (`deno check` on its `mod.ts`), a kernel version must build (the shim
 * against its source tree, here in the parent, so every probe child finds the library
 * built), and either must load and export `createTree` (checked in a child, so a module that
 * hangs, throws or crashes while loading cannot hurt the runner). A version that fails is
 * skipped, as `git bisect run` skips on exit code 125.
 *
 * Both checks run once per folder and are cached for the life of the checker.
 *
 * @example
 * ```ts
 * import { VersionChecker } from "./version_check.ts";
 * const checker = new VersionChecker({ limits: { timeMs: 20_000, memoryMb: 256 } });
 * const verdict = await checker.check("core/head");
 * console.log(verdict.ok ? "loads" : `skip: ${verdict.reason}`);
 * ```
 *
 * @module
 */

import { join, resolve } from "node:path";
import { versionKind } from "../core/loader.ts";
import { killChild, sandboxedRun, spawnDeno, SUITE_ROOT } from "./child.ts";

/** The verdict on one version folder. */
export type VersionCheck =
  | { readonly ok: true }
  | {
    readonly ok: false;
    /** `materialise`: a git commit could not be put on disk (see `runner.ts`). */
    readonly stage: "materialise" | "type-check" | "build" | "load";
    readonly reason: string;
  };

/** Options for {@linkcode VersionChecker}. */
export interface CheckerOptions {
  /** Limits for the load check's child (the type check gets four times the time). */
  readonly limits: { readonly timeMs: number; readonly memoryMb: number };
}

const LOAD_ENTRY = join(SUITE_ROOT, "bisect", "load_main.ts");

/**
 * Type-checks and loads version folders, once each.
 *
 * @example
 * ```ts
 * import { VersionChecker } from "./version_check.ts";
 * const checker = new VersionChecker({ limits: { timeMs: 10_000, memoryMb: 128 } });
 * console.log(await checker.check("bisect/fixtures/versions/broken-types")); // { ok: false, stage: "type-check", ... }
 * ```
 */
export class VersionChecker {
  readonly #cache = new Map<string, Promise<VersionCheck>>();
  readonly #limits: CheckerOptions["limits"];

  /** @param options limits for the checking children */
  constructor(options: CheckerOptions) {
    this.#limits = options.limits;
  }

  /** Check `folder` (cached); never throws. */
  check(folder: string): Promise<VersionCheck> {
    const key = resolve(folder);
    let verdict = this.#cache.get(key);
    if (!verdict) {
      verdict = this.#checkUncached(key);
      this.#cache.set(key, verdict);
    }
    return verdict;
  }

  async #checkUncached(folder: string): Promise<VersionCheck> {
    if (versionKind(folder) === "kernel") {
      const built = await buildKernelVersion(folder);
      if (built !== undefined) return { ok: false, stage: "build", reason: built };
    } else {
      const mod = join(folder, "mod.ts");
      const typed = await runChild(
        ["check", "--quiet", "--no-config", mod],
        this.#limits.timeMs * 4,
      );
      if (!typed.ok) {
        return { ok: false, stage: "type-check", reason: `does not type-check: ${typed.message}` };
      }
    }
    const loaded = await runChild(
      sandboxedRun(LOAD_ENTRY, this.#limits.memoryMb, [folder]),
      this.#limits.timeMs,
    );
    if (!loaded.ok) return { ok: false, stage: "load", reason: `does not load: ${loaded.message}` };
    return { ok: true };
  }
}

/** Build a kernel version's library; `undefined` when it built, else why not (one line). */
async function buildKernelVersion(folder: string): Promise<string | undefined> {
  const { prepareKernelVersion } = await import("../core/kernel/mod.ts");
  try {
    const build = await prepareKernelVersion(folder);
    return build.ok ? undefined : `does not build: ${build.error}`;
  } catch (error) {
    return `does not build: ${(error as Error).message.split("\n")[0]}`;
  }
}

/** Run deno with `args`; ok when it exits 0 within `timeMs`, else the first useful error line. */
async function runChild(
  args: string[],
  timeMs: number,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const child = spawnDeno(args);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killChild(child);
  }, timeMs);
  const output = await child.output();
  clearTimeout(timer);
  if (timedOut) return { ok: false, message: `no answer within ${timeMs} ms` };
  if (output.success) return { ok: true };
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  return { ok: false, message: firstErrorLine(text) ?? `exit code ${output.code}` };
}

/**
 * The first line that names an error, e.g. `TS2322 [ERROR]: Type 'string' is not ...`.
 *
 * @example
 * ```ts
 * import { firstErrorLine } from "./version_check.ts";
 * console.log(firstErrorLine("Check mod.ts\nerror: Uncaught Error: boom\n")); // Uncaught Error: boom
 * ```
 */
export function firstErrorLine(text: string): string | undefined {
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim());
  const found = lines.find((l) => /error|ERROR/.test(l)) ?? lines.find((l) => l.length > 0);
  if (found === undefined) return undefined;
  const at = lines.indexOf(found);
  // Type errors put the location on a following `at file:///...` line; keep its tail.
  const where = lines.slice(at + 1, at + 4).find((l) => l.startsWith("at "));
  const shortWhere = where ? ` (${where.slice(3).replace(/^file:\/\/.*\//, "")})` : "";
  return `${found.replace(/^error: /, "")}${shortWhere}`.slice(0, 300);
}
