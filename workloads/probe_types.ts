/**
 * The JSON shape of one probe: one version × stressor × layout × seed, run in-process.
 *
 * This is the whole interface between `workloads/` and `bisect/`: the runner spawns
 * `workloads/probe_main.ts` with a {@linkcode ProbeSpec} and reads one {@linkcode ProbeResult}
 * line from its stdout. Nothing else crosses.
 *
 * @example
 * ```ts
 * import type { ProbeSpec } from "./probe_types.ts";
 * const spec: ProbeSpec = {
 *   version: "head", stressor: "fork", layout: "glibc", seed: 7, ops: 200, verify: true,
 * };
 * console.log(JSON.stringify(spec));
 * ```
 *
 * @module
 */

/** The stressors the suite knows, each with stress-ng's definition of a bogo op. */
export const STRESSOR_NAMES = [
  "fork",
  "vfork",
  "clone",
  "forkheavy",
  "mmapfork",
  "mmap",
  "munmap",
  "mprotect",
  "mremap",
  "brk",
  "tree",
] as const;

/** A stressor's name. */
export type StressorName = typeof STRESSOR_NAMES[number];

/** How a probe runs: `checked` for correctness (the default), `timed` for speed. */
export const PROBE_MODES = ["checked", "timed"] as const;

/** A probe's mode; see {@linkcode ProbeSpec.mode}. */
export type ProbeMode = typeof PROBE_MODES[number];

/** What to run. */
export interface ProbeSpec {
  /** A manifest version name, `head`, or a path to a version folder. */
  readonly version: string;
  /** The stressor. */
  readonly stressor: StressorName;
  /** A generator name (`glibc`, `many-libs`, `fragmented`, `random`), a fixture name, or a `.maps` path. */
  readonly layout: string;
  /** Seed for the layout generator and the stressor's choices. */
  readonly seed: number;
  /** Bogo ops to run. */
  readonly ops: number;
  /** Validate and compare against the reference after every op (stress-ng's `--verify`). */
  readonly verify: boolean;
  /** Stop after this many milliseconds even if `ops` were not reached (0 or absent: no limit). */
  readonly timeoutMs?: number;
  /**
   * An explicit layout; when present it replaces the named one (`layout` is then only a
   * label). Used by fuzz, shrink and replay.
   */
  readonly inlineLayout?: readonly VmaRecord[];
  /**
   * An explicit operation list, run in order instead of the stressor's own choices (each
   * operation counts as one bogo op; `ops` is ignored). Used by fuzz, shrink and replay.
   */
  readonly operations?: readonly OperationRecord[];
  /** Stressor sizes by name (e.g. `{ "mmapPages": 4 }`); see `workloads/stressors/types.ts`. */
  readonly options?: Readonly<Record<string, number>>;
  /**
   * `checked` (absent: the same) runs with the checks `verify` asks for. `timed` measures speed
   * instead, for performance samples: no reference mirror and no whole-space checks (the mirror
   * costs about as much as the tree, and would dilute a slowdown of the tree), a warm-up pass
   * of the same spec with a quarter of its ops first (so a sample measures the version's steady
   * state, not how fast V8 compiles it; only the second pass is reported), and the CPU time of
   * the stressor loop in
   * the result as `cpuMs`. A timed probe needs `verify: false`.
   */
  readonly mode?: ProbeMode;
  /**
   * A version (name or folder, e.g. `kernel-6.1`) whose tree follows every write of the mm,
   * its height and node census compared with the tested tree's after each; a difference is
   * a `wrong` outcome of kind `ShapeMismatchError` (see `workloads/shape_oracle.ts`). Checked
   * mode only.
   */
  readonly shapeOracle?: string;
}

/** One VMA in JSON: `{ "range": "7f00a000-7f00c000", "perms": "r-xp", "offset": "0x2000", "name": "/usr/lib/libc.so.6" }`. */
export interface VmaRecord {
  /** `start-end` in hex, as /proc/PID/maps prints it (end exclusive). */
  readonly range: string;
  /** `rwxp` / `rwxs`. */
  readonly perms: string;
  /** File offset in hex (file mappings only). */
  readonly offset?: string;
  /** A path (starting with `/`) for a file mapping, or an anonymous name like `[heap]`. */
  readonly name?: string;
  /** VM flags, e.g. `["dontcopy"]` (see `workloads/vma.ts`). */
  readonly flags?: readonly string[];
}

/** One primitive operation in JSON, e.g. `{ "op": "munmap", "addr": "0x7f0000001000", "length": "0x1000" }`. */
export type OperationRecord =
  & Readonly<Record<string, string | number | boolean | readonly string[]>>
  & { readonly op: string };

/** How a probe ended, as the child itself sees it. The parent adds `hang`, `oom` and `skip`. */
export type ChildOutcome = "pass" | "crash" | "invalid" | "wrong" | "leak";

/** Every outcome class the runner reports. */
export type Outcome = ChildOutcome | "hang" | "oom" | "skip";

/** The failure's evidence. */
export interface Failure {
  /** The error's class name, e.g. `TypeError` or `MapleInvariantError`. */
  readonly kind: string;
  /** Its message. */
  readonly message: string;
  /** Top stack frames, innermost first, as `function (file:line)`. */
  readonly frames: readonly string[];
  /** The bogo op (0-based) during which it happened. */
  readonly atOp: number;
  /** What the op was doing, e.g. `fork of an mm with 38 VMAs`. */
  readonly operation: string;
}

/** What a probe reports on stdout (one JSON line). */
export interface ProbeResult {
  readonly spec: ProbeSpec;
  readonly outcome: ChildOutcome;
  /** Bogo ops completed. */
  readonly bogoOps: number;
  /** Wall time of the stressor loop in milliseconds. */
  readonly elapsedMs: number;
  /** `bogoOps / seconds`. */
  readonly opsPerSecond: number;
  /** Digest of the final address space (hex), for determinism checks. */
  readonly digest: string;
  /** VMAs in the layout the probe started from. */
  readonly layoutVmas: number;
  /** Present unless `outcome` is `pass`. */
  readonly failure?: Failure;
  /** Hash of the operation sequence applied (hex), for determinism checks. */
  readonly opsDigest?: string;
  /** Primitive operations applied (a bogo op may be many). */
  readonly primitiveOps?: number;
  /**
   * CPU time (user + system) of the stressor loop in milliseconds; `timed` mode only. Wall time
   * on a shared two-core machine swings by a fifth when a neighbour runs; the CPU time of the
   * probe's own loop hardly moves, since time spent waiting for a core is not counted.
   */
  readonly cpuMs?: number;
}
