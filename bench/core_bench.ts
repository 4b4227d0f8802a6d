/**
 * Core benchmark: the head maple tree beside `sorted-btree` and `@js-sdsl/ordered-map` on the
 * cases of core_cases.ts, measured with mitata in one run; prints ns/op (per entry for dup)
 * and, with `--json out.json`, writes the figures.
 *
 * Usage: `deno run -A --v8-flags=--expose-gc bench/core_bench.ts [--json out.json] [--quick]
 * [--version head]` (or `deno task bench:core`). Figures are medians (ns per call; per entry
 * for dup) with the mean beside them. Dup rows end with the `copy-floor`: slicing just the
 * used pivots and slots of the same tree, the least a real copy of the maple layout costs.
 *
 * @example
 * ```ts
 * // deno run -A bench/core_bench.ts --quick --json /tmp/core.json
 * import { runCoreBench } from "./core_bench.ts";
 * console.log(typeof runCoreBench);
 * ```
 *
 * @module
 */

import { measure } from "mitata";
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import type { MapleModule } from "../core/contract.ts";
import { loadVersion } from "../core/loader.ts";
import { coreCases } from "./core_cases.ts";
import { QUICK_WARM_UP_MS, WARM_UP_MS, warmUp } from "./harness.ts";
import { BTreeRanges, type RangeMapPeer, SdslRanges } from "./range_peers.ts";

/** One measured figure. */
export interface CoreFigure {
  readonly case: string;
  readonly impl: string;
  /** Mean ns per call divided by the entries per call. */
  readonly ns: number;
  /** Median ns per call (per entry for dup): robust to GC pauses and a busy machine. */
  readonly p50: number;
  readonly samples: number;
}

const PEERS: [string, () => RangeMapPeer<number>][] = [
  ["sorted-btree", () => new BTreeRanges<number>()],
  ["js-sdsl", () => new SdslRanges<number>()],
];

/** The `impl` of a case's floor figure (see `copyFloor` in core_cases.ts). */
export const FLOOR = "copy-floor";

/** Run a full collection when the engine allows it (`--v8-flags=--expose-gc`). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
}

/** Measure every core case on `module` and the peers. */
export async function runCoreBench(
  name: string,
  module: MapleModule,
  quick: boolean,
  log: (line: string) => void,
  only?: RegExp,
): Promise<CoreFigure[]> {
  const figures: CoreFigure[] = [];
  const opts = {
    min_cpu_time: (quick ? 50 : 600) * 1e6,
    min_samples: quick ? 8 : 32,
    max_samples: quick ? 500 : 5000,
  };
  for (const c of coreCases()) {
    if (only !== undefined && !only.test(c.name)) continue;
    const row: CoreFigure[] = [];
    const impls: [string, () => () => unknown][] = [
      [name, () => c.setup(module)],
      ...PEERS.map(([peer, make]): [string, () => () => unknown] => [peer, () => c.peer(make)]),
    ];
    for (const [impl, build] of impls) {
      // Start each measurement from a collected heap, so one case's garbage (the 100,000
      // range tree of the load case) is not paid for by the next.
      collectGarbage();
      const call = build();
      warmUp(call, quick ? QUICK_WARM_UP_MS : WARM_UP_MS);
      const stats = await measure(call, opts);
      row.push({
        case: c.name,
        impl,
        ns: stats.avg / c.entriesPerCall,
        p50: stats.p50 / c.entriesPerCall,
        samples: stats.samples.length,
      });
    }
    const best = Math.min(...row.slice(1).map((f) => f.p50));
    const cells = row.map((f) => `${f.impl} ${f.p50.toFixed(1)} [${f.ns.toFixed(1)}]`);
    const kernel = c.kernelNs > 0 ? `  kernel C ${c.kernelNs}` : "";
    const ratio = (best / row[0].p50).toFixed(2);
    let floor = "";
    if (c.floor !== undefined) {
      collectGarbage();
      const floorCall = c.floor(module);
      warmUp(floorCall, quick ? QUICK_WARM_UP_MS : WARM_UP_MS);
      const stats = await measure(floorCall, opts);
      const p50 = stats.p50 / c.entriesPerCall;
      row.push({
        case: c.name,
        impl: FLOOR,
        ns: stats.avg / c.entriesPerCall,
        p50,
        samples: stats.samples.length,
      });
      floor = `  ${FLOOR} ${p50.toFixed(1)}`;
    }
    figures.push(...row);
    log(`${c.name.padEnd(20)} ${cells.join("  ")}  best peer/${name} ${ratio}x${kernel}${floor}`);
  }
  return figures;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "string" },
      quick: { type: "boolean", default: false },
      version: { type: "string", default: "head" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: deno task bench:core [--json out.json] [--quick] [--version head] [--only REGEX]",
    );
    Deno.exit(0);
  }
  try {
    const loaded = await loadVersion(values.version);
    console.log(
      `core bench: ${loaded.name} vs sorted-btree and @js-sdsl/ordered-map: ` +
        "median ns/op [mean]; dup per entry",
    );
    const only = values.only === undefined ? undefined : new RegExp(values.only);
    const figures = await runCoreBench(
      loaded.name,
      loaded.module,
      values.quick,
      console.log,
      only,
    );
    if (values.json) {
      writeFileSync(
        values.json,
        JSON.stringify({ date: new Date().toISOString(), figures }, null, 2),
      );
      console.log(`wrote ${values.json}`);
    }
  } catch (error) {
    console.error(`core bench: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
