/**
 * The benchmark harness behind `deno task bench`: measures cases on versions with mitata and
 * turns the measurements into the sample sets of a bench record.
 *
 * Each version is measured in its own child process (`bench/measure_main.ts`), as asv does,
 * so that one version's JIT feedback cannot colour another's figures and a version that
 * crashes or hangs costs only its own results.
 *
 * @example
 * ```ts
 * import { measureCases, type BenchCase } from "./harness.ts";
 * import { loadVersion } from "../core/loader.ts";
 * const cases: BenchCase[] = [{
 *   name: "demo/load", group: "core", unit: "ns/op", better: "lower",
 *   setup: (m) => { const t = m.createTree<number>(); t.store(1, 9, 1); return () => t.load(5); },
 * }];
 * const { module } = await loadVersion("testing/reference");
 * console.log(await measureCases("testing/reference", module, cases, { quick: true }));
 * ```
 *
 * @module
 */

import { measure } from "mitata";
import type { MapleModule } from "../core/contract.ts";
import type { Better, SampleSet } from "../results/record.ts";

/** One benchmark case, parameterised by the version's module. */
export interface BenchCase {
  /** `group/name`, e.g. `core/load-random`. */
  readonly name: string;
  /** `core`, `workloads` or `shape`. */
  readonly group: string;
  /**
   * `ns/op` (time per call), `ops/s` (calls, times `opsPerCall`, per second), or, for a case
   * with a `count`, what it counts (`nodes`, `levels`).
   */
  readonly unit: "ns/op" | "ops/s" | "nodes" | "levels";
  readonly better: Better;
  /** Build the state for one version; returns the operation that one timed call runs. */
  setup(module: MapleModule): () => unknown;
  /** Bogo ops done by one call, for `ops/s` cases (default 1). */
  readonly opsPerCall?: number;
  /**
   * Entries one call handles, for `ns/op` cases reported per entry (a `dup` of 300 entries is
   * reported as ns per entry, as the kernel's figures are); default 1.
   */
  readonly entriesPerCall?: number;
  /**
   * A figure that is counted, not timed (the tree's nodes after a fixed workload): when
   * present, the case records this one value and `setup` is not timed.
   */
  readonly count?: (module: MapleModule) => number;
}

/** How long to measure. */
export interface MeasureOptions {
  /** Short runs for tests and smoke checks. */
  readonly quick: boolean;
  /**
   * Rounds the whole run is split into (default 1): each round measures for 1/rounds of the
   * time, so that interleaving versions over several rounds costs no more than one round.
   */
  readonly rounds?: number;
}

/** Samples kept per set: enough for a rank test, small enough for records to stay readable. */
export const KEPT_SAMPLES = 48;

/**
 * Measure every case on one version; a case that throws becomes a set with `error`.
 *
 * @example
 * ```ts
 * import { measureCases } from "./harness.ts";
 * import type { MapleModule } from "../core/contract.ts";
 * async function usage(module: MapleModule): Promise<void> {
 *   const sets = await measureCases("head", module, [], { quick: true });
 *   console.log(sets.length); // 0
 * }
 * ```
 */
export async function measureCases(
  version: string,
  module: MapleModule,
  cases: readonly BenchCase[],
  options: MeasureOptions,
): Promise<SampleSet[]> {
  const sets: SampleSet[] = [];
  for (const c of cases) {
    // Let the event loop turn between cases: a kernel version's trees free their C nodes from
    // a FinalizationRegistry callback, which never runs inside mitata's synchronous loop; here
    // the trees collected so far are freed (a full kernel run peaked at 730 MB without this).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const base = { benchmark: c.name, version, unit: c.unit, better: c.better };
    try {
      if (c.count) {
        // A count is exact: one value per run, the same on every run of the same code.
        sets.push({ ...base, values: [c.count(module)] });
        continue;
      }
      const op = c.setup(module);
      warmUp(op, options.quick ? QUICK_WARM_UP_MS : WARM_UP_MS);
      const stats = await measure(op, {
        min_cpu_time: Math.max(options.quick ? 20 : 500 / (options.rounds ?? 1), 20) * 1e6,
        min_samples: options.quick ? 8 : 24,
        max_samples: options.quick ? 200 : 2000,
      });
      const perCall = thin(stats.samples, KEPT_SAMPLES);
      const values = c.unit === "ns/op"
        ? perCall.map((ns) => ns / (c.entriesPerCall ?? 1))
        : perCall.map((ns) => ((c.opsPerCall ?? 1) * 1e9) / ns);
      sets.push({ ...base, values: values.map(round4) });
    } catch (error) {
      sets.push({ ...base, values: [], error: describe(error) });
    }
  }
  return sets;
}

/** How long a case runs before it is measured; see {@linkcode warmUp}. */
export const WARM_UP_MS = 300;
/** The warm-up of a `--quick` run. */
export const QUICK_WARM_UP_MS = 30;

/**
 * Call `op` for `ms` milliseconds before it is measured. The tree's write path has many code
 * paths that V8 optimises one by one as they get hot: measured alone, the in-order store case
 * took 100,000 to 400,000 calls to settle from about 2,000 to 400 ns, while after the load case
 * (whose setup stores 100,000 ranges) it started settled. Without this, a case's figure
 * depended on which cases ran before it.
 *
 * @example
 * ```ts
 * import { warmUp } from "./harness.ts";
 * let calls = 0;
 * warmUp(() => calls++, 5);
 * console.log(calls > 0); // true
 * ```
 */
export function warmUp(op: () => unknown, ms: number): void {
  const until = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) op();
  } while (performance.now() < until);
}

/**
 * Keep at most `n` samples, spread evenly over the sorted list, so that the kept ones have the
 * measured distribution's shape.
 *
 * @example
 * ```ts
 * import { thin } from "./harness.ts";
 * console.log(thin([5, 1, 4, 2, 3], 3)); // [1, 3, 5]
 * ```
 */
export function thin(samples: readonly number[], n: number): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length <= n) return sorted;
  return Array.from(
    { length: n },
    (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (n - 1))],
  );
}

/** Four significant digits: beyond that is timer noise, and the records stay readable. */
function round4(value: number): number {
  return Number(value.toPrecision(4));
}

/** A one-line description of a thrown value. */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
