/**
 * Builds the shim against a kernel source tree into a shared library, once per content.
 *
 * The library goes to `<cache>/kernel-build/<key>/libmaple.so` beside a `build.json` record,
 * where the key hashes the tree's `lib/maple_tree.c` and `include/linux/maple_tree.h`, our
 * shim, allocator and this build script, and the compiler flags: a second use of the same tree costs a hash, and
 * an edited tree builds afresh. A build happens in a private temporary folder renamed into
 * place, so concurrent children never see half a library. A tree that does not compile is
 * recorded too (with the compiler's first error line), so it is skipped without retrying.
 *
 * What a release offers is learned from the tree, not from its version number (distributions
 * backport): the functions its `maple_tree.c` defines and the signatures its header declares.
 *
 * @example
 * ```ts
 * import { buildKernel } from "./build.ts";
 * export async function libraryOf(tree: string): Promise<string | undefined> {
 *   const build = await buildKernel(tree);
 *   return build.ok ? build.library : undefined;
 * }
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, isKernelTree } from "./config.ts";

const SHIM_DIR = dirname(fileURLToPath(import.meta.url));
/** Our files whose change must rebuild every tree: the C, and this build logic itself. */
const SHIM_FILES = ["shim.c", "alloc.c", "alloc.h", "replay.c", "build.ts"];

/** What a tree offers, learned from its files. */
export interface KernelFeatures {
  /** `mas_expected_entries` is defined: the bulk fork path of 6.1 to 6.17. */
  readonly expectedEntries: boolean;
  /** `__mt_dup` is defined: the node-by-node fork path of 6.8 on. */
  readonly mtDup: boolean;
  /** `mas_preallocate(mas, entry, gfp)` (6.1, 6.6 on) rather than `(mas, gfp)`. */
  readonly preallocateTakesEntry: boolean;
  /** `mt_dump` takes a format (about 6.5 on). */
  readonly dumpFormat: boolean;
  /** Nodes come from slab sheaves (6.18 on): the shim provides that allocator generation. */
  readonly sheaves: boolean;
  /** The userspace harness lives in `tools/testing/shared` (about 6.12 on). */
  readonly sharedHarness: boolean;
  /** The harness puts the architecture's headers on the include path (6.19's `shared.mk`). */
  readonly archHeaders: boolean;
}

/** The record of one build, kept as `build.json` beside the library. */
export interface BuildRecord {
  readonly ok: boolean;
  /** The source tree. */
  readonly source: string;
  /** The release from the tree's top Makefile, e.g. `6.1.176`. */
  readonly release: string;
  readonly features: KernelFeatures;
  readonly flags: readonly string[];
  /** Wall time of the compile (of the build that made the cache entry). */
  readonly seconds: number;
  /** The cache key (hex). */
  readonly key: string;
  /** The built library, when `ok`. */
  readonly library?: string;
  /** The compiler's first error line (or why nothing was compiled), when not `ok`. */
  readonly error?: string;
}

/**
 * The release named by a tree's top `Makefile` (`VERSION.PATCHLEVEL.SUBLEVEL` plus
 * `EXTRAVERSION`), or `unknown`.
 *
 * @example
 * ```ts
 * import { releaseOf } from "./build.ts";
 * console.log(releaseOf("VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 176\nEXTRAVERSION =\n")); // 6.1.176
 * ```
 */
export function releaseOf(makefile: string): string {
  const field = (name: string) => new RegExp(`^${name}\\s*=[ \\t]*(\\S*)`, "m").exec(makefile)?.[1];
  const [version, patch, sub] = [field("VERSION"), field("PATCHLEVEL"), field("SUBLEVEL")];
  if (!version || !patch) return "unknown";
  return `${version}.${patch}${sub ? `.${sub}` : ""}${field("EXTRAVERSION") ?? ""}`;
}

/**
 * What a tree's maple tree offers, from its source file and header.
 *
 * @example
 * ```ts
 * import { detectFeatures } from "./build.ts";
 * const f = detectFeatures("int mas_expected_entries(struct ma_state *mas, unsigned long n)\n{", "", undefined);
 * console.log(f.expectedEntries, f.mtDup); // true false
 * ```
 */
export function detectFeatures(
  source: string,
  header: string,
  sharedMk: string | undefined,
): KernelFeatures {
  return {
    expectedEntries: /^int mas_expected_entries\(/m.test(source),
    mtDup: /^int __mt_dup\(/m.test(source),
    preallocateTakesEntry: /int mas_preallocate\(struct ma_state \*mas,\s*void \*entry/.test(
      header,
    ),
    dumpFormat: /void mt_dump\(const struct maple_tree \*mt,\s*enum mt_dump_format/.test(header),
    sheaves: /kmem_cache_prefill_sheaf\(/.test(source),
    sharedHarness: sharedMk !== undefined,
    archHeaders: /arch\/\$\(SRCARCH\)\/include/.test(sharedMk ?? ""),
  };
}

/** The preprocessor flags that tell the shim what the tree offers. */
function featureFlags(features: KernelFeatures): string[] {
  return [
    ...(features.expectedEntries ? ["-DMB_HAVE_EXPECTED_ENTRIES"] : []),
    ...(features.mtDup ? ["-DMB_HAVE_MT_DUP"] : []),
    ...(features.preallocateTakesEntry ? ["-DMB_PREALLOCATE_TAKES_ENTRY"] : []),
    ...(features.dumpFormat ? ["-DMB_MT_DUMP_FORMAT"] : []),
    ...(features.sheaves ? ["-DMB_HAVE_SHEAVES"] : []),
  ];
}

/** Include paths: our generated headers, the harness's shims, the tools headers, the tree. */
function includeFlags(tree: string, generated: string, features: KernelFeatures): string[] {
  const harness = join(tree, "tools", "testing");
  // shared.mk's ../../arch/$(SRCARCH)/include, seen from tools/testing/radix-tree.
  const arch = join(
    tree,
    "tools",
    "arch",
    Deno.build.arch === "aarch64" ? "arm64" : "x86",
    "include",
  );
  return [
    `-I${dirname(generated)}`,
    `-I${generated}`,
    `-I${SHIM_DIR}`,
    ...(features.sharedHarness ? [`-I${join(harness, "shared")}`] : []),
    `-I${join(harness, "radix-tree")}`,
    `-I${join(tree, "tools", "include")}`,
    ...(features.sharedHarness ? [`-I${join(tree, "lib")}`] : []),
    ...(features.archHeaders && existsSync(arch) ? [`-I${arch}`] : []),
    `-idirafter${tree}`,
  ];
}

const BASE_FLAGS = [
  "-O2",
  "-g",
  "-fPIC",
  "-shared",
  "-w",
  "-D_LGPL_SOURCE",
  "-Dfallthrough=__attribute__((__fallthrough__))",
];

/** The generated headers the harness Makefile would write (never into the user's tree). */
const GENERATED: Record<string, string> = {
  "map-shift.h": "#define XA_CHUNK_SHIFT 3\n",
  "bit-length.h": "#define CONFIG_64BIT 1\n",
  "autoconf.h": '#include "bit-length.h"\n#define CONFIG_XARRAY_MULTI 1\n',
};

function treeFacts(tree: string) {
  const source = readFileSync(join(tree, "lib", "maple_tree.c"), "utf8");
  const header = readFileSync(join(tree, "include", "linux", "maple_tree.h"), "utf8");
  const makefile = existsSync(join(tree, "Makefile"))
    ? readFileSync(join(tree, "Makefile"), "utf8")
    : "";
  const harness = join(tree, "tools", "testing", "shared");
  const sharedMk = existsSync(join(harness, "maple-shared.h"))
    ? (existsSync(join(harness, "shared.mk"))
      ? readFileSync(join(harness, "shared.mk"), "utf8")
      : "")
    : undefined;
  const features = detectFeatures(source, header, sharedMk);
  const flags = [...BASE_FLAGS, ...featureFlags(features), `-fmacro-prefix-map=${tree}/=`];
  const hash = createHash("sha256");
  for (const text of [source, header, JSON.stringify(flags)]) hash.update(text).update("\0");
  for (const file of SHIM_FILES) hash.update(readFileSync(join(SHIM_DIR, file))).update("\0");
  return { release: releaseOf(makefile), features, flags, key: hash.digest("hex").slice(0, 24) };
}

/** Write the generated headers into `dir/generated` and return that folder. */
function writeGenerated(dir: string): string {
  const generated = join(dir, "generated");
  mkdirSync(generated, { recursive: true });
  for (const [name, text] of Object.entries(GENERATED)) writeFileSync(join(generated, name), text);
  return generated;
}

function buildDir(key: string): string {
  return join(cacheDir(), "kernel-build", key);
}

/**
 * The cached build of `tree`, if there is one (without building).
 *
 * @example
 * ```ts
 * import { findBuild } from "./build.ts";
 * console.log(findBuild("/nonexistent")); // undefined
 * ```
 */
export function findBuild(tree: string): BuildRecord | undefined {
  if (!isKernelTree(tree)) return undefined;
  const record = join(buildDir(treeFacts(tree).key), "build.json");
  if (!existsSync(record)) return undefined;
  return JSON.parse(readFileSync(record, "utf8")) as BuildRecord;
}

/**
 * The first line of compiler output that names an error, without the build folder's paths.
 *
 * @example
 * ```ts
 * import { firstCompilerError } from "./build.ts";
 * console.log(firstCompilerError("x.c: In function 'f':\n/t/lib/maple_tree.c:9:3: error: boom\n"));
 * // /t/lib/maple_tree.c:9:3: error: boom
 * ```
 */
export function firstCompilerError(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  return (lines.find((l) => /\berror\b/.test(l)) ?? lines[0] ?? "the compiler failed").slice(
    0,
    300,
  );
}

/**
 * Build the shim against `tree` (or reuse the cached build). Never throws for a tree that
 * does not build: the record says why, and the version is skipped.
 *
 * @example
 * ```ts
 * import { buildKernel } from "./build.ts";
 * const build = await buildKernel("/nonexistent");
 * console.log(build.ok, build.error); // false no kernel tree at /nonexistent (want lib/maple_tree.c)
 * ```
 */
export async function buildKernel(tree: string): Promise<BuildRecord> {
  if (!isKernelTree(tree)) {
    const fetchHint = tree.includes("kernel-src") ? ": run deno task kernel:fetch" : "";
    return {
      ok: false,
      source: tree,
      release: "unknown",
      features: detectFeatures("", "", undefined),
      flags: [],
      seconds: 0,
      key: "",
      error: `no kernel tree at ${tree} (want lib/maple_tree.c)${fetchHint}`,
    };
  }
  const cached = findBuild(tree);
  if (cached) return cached;
  const facts = treeFacts(tree);
  const finalDir = buildDir(facts.key);
  const workDir = `${finalDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const generated = writeGenerated(workDir);
  const library = join(finalDir, "libmaple.so");
  const args = [
    ...facts.flags,
    ...includeFlags(tree, generated, facts.features),
    "-o",
    join(workDir, "libmaple.so"),
    join(SHIM_DIR, "shim.c"),
    join(SHIM_DIR, "alloc.c"),
    "-lurcu",
    "-lpthread",
  ];
  const started = performance.now();
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(Deno.env.get("CC") ?? "gcc", {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    return {
      ok: false,
      source: tree,
      ...facts,
      seconds: 0,
      error: `cannot run the C compiler: ${(error as Error).message}`,
    };
  }
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const record: BuildRecord = output.success
    ? { ok: true, source: tree, ...facts, seconds, library }
    : {
      ok: false,
      source: tree,
      ...facts,
      seconds,
      error: firstCompilerError(new TextDecoder().decode(output.stderr)),
    };
  writeFileSync(join(workDir, "build.json"), JSON.stringify(record, null, 2) + "\n");
  rmSync(generated, { recursive: true, force: true });
  try {
    renameSync(workDir, finalDir);
  } catch {
    // Another process finished the same build first: its result stands.
    rmSync(workDir, { recursive: true, force: true });
  }
  return JSON.parse(readFileSync(join(finalDir, "build.json"), "utf8")) as BuildRecord;
}

/**
 * The replay driver beside a built library (`maple-replay`, from `replay.c` and the same
 * shim, linked as a program so valgrind sees only C), compiled on first use; the path, or
 * an Error with the compiler's first error line.
 *
 * @example
 * ```ts
 * import { buildKernel, buildReplayDriver } from "./build.ts";
 * export async function driverFor(tree: string): Promise<string> {
 *   return await buildReplayDriver(await buildKernel(tree));
 * }
 * ```
 */
export async function buildReplayDriver(build: BuildRecord): Promise<string> {
  if (!build.ok || build.library === undefined) {
    throw new Error(`no library to build a replay driver beside: ${build.error}`);
  }
  const dir = dirname(build.library);
  const driver = join(dir, "maple-replay");
  if (existsSync(driver)) return driver;
  const work = `${driver}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  mkdirSync(work);
  try {
    const flags = build.flags.filter((f) => f !== "-shared" && f !== "-fPIC");
    const output = await new Deno.Command(Deno.env.get("CC") ?? "gcc", {
      args: [
        ...flags,
        ...includeFlags(build.source, writeGenerated(work), build.features),
        "-o",
        join(work, "maple-replay"),
        join(SHIM_DIR, "replay.c"),
        join(SHIM_DIR, "shim.c"),
        join(SHIM_DIR, "alloc.c"),
        "-lurcu",
        "-lpthread",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(
        `the replay driver does not build: ${
          firstCompilerError(new TextDecoder().decode(output.stderr))
        }`,
      );
    }
    renameSync(join(work, "maple-replay"), driver);
    return driver;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
