/**
 * Core benchmark: the head maple tree beside the kernel's own C tree (`kernel-6.1`, through
 * Deno FFI) and `sorted-btree` and `@js-sdsl/ordered-map` on the cases of core_cases.ts,
 * measured with mitata in one run; prints ns/op (per entry for dup) and, with
 * `--json out.json`, writes the figures.
 *
 * Usage: `deno run -A --v8-flags=--expose-gc bench/core_bench.ts [--json out.json] [--quick]
 * [--version head] [--kernel kernel-6.1|none] [--only REGEX]` (or `deno task bench:core`).
 * Figures are medians (ns per call; per entry for dup) with the mean beside them. Dup rows end
 * with the `copy-floor`: slicing just the used pivots and slots of the same tree, the least a
 * real copy of the maple layout costs.
 *
 * The kernel column is measured, not quoted: the same cases on the kernel version's C tree,
 * each tree call crossing into C through the adapter of `core/kernel/tree.ts`. One crossing is
 * timed on its own (`mb_nop`, an empty C function), and the closing table says which share of
 * each kernel figure the crossings are (`ffiCalls` of each case times that figure) and how head
 * stands against the kernel (head ÷ kernel: above 1, head is slower). When the kernel version
 * cannot be loaded (no kernel tree here, no compiler), its column is left out with one line
 * saying why.
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
import { type CoreCase, coreCases } from "./core_cases.ts";
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

/** The `case` of the figure of one FFI crossing (the shim's empty `mb_nop`). */
export const FFI_CASE = "ffi/empty-call";

/** The kernel version measured beside head unless `--kernel` names another (or `none`). */
export const DEFAULT_KERNEL = "kernel-6.1";

/** The rows of the goal "head within 1.5× of the kernel": load, stores, churn, gap searches. */
export const KERNEL_GOAL_CASES: readonly string[] = [
  "core/load-random",
  "core/store-inorder",
  "core/store-random",
  "core/churn",
  "core/empty-area",
  "core/empty-area-rev",
];

/** The goal's bound on head ÷ kernel. */
export const KERNEL_GOAL_RATIO = 1.5;

/** A kernel version measured as a column beside head. */
export interface KernelColumn {
  /** The version's name, e.g. `kernel-6.1`. */
  readonly name: string;
  /** Release and fork path, e.g. `linux 6.1.192, fork by ...`. */
  readonly description: string;
  readonly module: MapleModule;
  /** One FFI crossing and nothing else: the shim's `int mb_nop(void)`. */
  readonly crossing: () => number;
  /**
   * The core cases from an instance of core_cases.ts of the kernel's own, so that the timed
   * closures' call sites see only kernel trees (closures of one literal share type feedback).
   */
  readonly cases: readonly CoreCase[];
}

/**
 * Load the kernel version `name` (building its library on first use) for the kernel column.
 * Throws when it cannot be loaded; the caller leaves the column out and says why.
 *
 * @example
 * ```ts
 * import { loadKernelColumn } from "./core_bench.ts";
 * try {
 *   const kernel = await loadKernelColumn("kernel-6.1");
 *   console.log(kernel.crossing()); // 0
 * } catch (error) {
 *   console.log(`no kernel column: ${(error as Error).message}`);
 * }
 * ```
 */
export async function loadKernelColumn(name: string = DEFAULT_KERNEL): Promise<KernelColumn> {
  const loaded = await loadVersion(name);
  if (loaded.kind !== "kernel") throw new Error(`${name} is not a kernel version`);
  // Imported only here, as core/loader.ts does: runs without a kernel never touch FFI.
  const { loadKernelVersion } = await import("../core/kernel/mod.ts");
  const { openShim } = await import("../core/kernel/ffi.ts");
  const { build } = await loadKernelVersion(loaded.folder);
  if (build.library === undefined) throw new Error(`${name} has no built library`);
  const nop = openShim(build.library).symbols.mb_nop;
  // A second instance of the cases module (another specifier, so other function literals).
  const url = new URL("./core_cases.ts?kernel", import.meta.url).href;
  const own = await import(url) as typeof import("./core_cases.ts");
  return {
    name: loaded.name,
    description: loaded.description ?? name,
    module: loaded.module,
    crossing: () => nop(),
    cases: own.coreCases(),
  };
}

/** Run a full collection when the engine allows it (`--v8-flags=--expose-gc`). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
}

/**
 * Collect, then let the event loop turn: a kernel tree's C nodes are freed by a
 * FinalizationRegistry callback, which never runs inside a measurement (mitata's loop is
 * synchronous), so one case's trees are freed here and not in the next case's figure.
 */
async function settle(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

interface MeasureOpts {
  readonly min_cpu_time: number;
  readonly min_samples: number;
  readonly max_samples: number;
}

/** Warm `call` up, then measure it: mean and median per entry. */
async function timeCall(
  call: () => unknown,
  quick: boolean,
  opts: MeasureOpts,
  entries: number,
): Promise<{ ns: number; p50: number; samples: number }> {
  warmUp(call, quick ? QUICK_WARM_UP_MS : WARM_UP_MS);
  const stats = await measure(call, opts);
  return { ns: stats.avg / entries, p50: stats.p50 / entries, samples: stats.samples.length };
}

/**
 * Measure every core case on `module` (as `name`), on the `kernel` column when given, and on
 * the peers; with a kernel, one FFI crossing first (case {@linkcode FFI_CASE}).
 *
 * @example
 * ```ts
 * import { runCoreBench } from "./core_bench.ts";
 * import * as head from "../core/head/mod.ts";
 * const figures = await runCoreBench("head", head, true, console.log, /empty-area$/);
 * console.log(figures.map((f) => f.impl)); // ["head", "sorted-btree", "js-sdsl"]
 * ```
 */
export async function runCoreBench(
  name: string,
  module: MapleModule,
  quick: boolean,
  log: (line: string) => void,
  only?: RegExp,
  kernel?: KernelColumn,
): Promise<CoreFigure[]> {
  const figures: CoreFigure[] = [];
  const opts = {
    min_cpu_time: (quick ? 50 : 600) * 1e6,
    min_samples: quick ? 8 : 32,
    max_samples: quick ? 500 : 5000,
  };
  if (kernel !== undefined) {
    await settle();
    const t = await timeCall(kernel.crossing, quick, opts, 1);
    figures.push({ case: FFI_CASE, impl: kernel.name, ...t });
    log(
      `${FFI_CASE.padEnd(20)} ${kernel.name} mb_nop ${t.p50.toFixed(1)} [${t.ns.toFixed(1)}]` +
        "  (one FFI crossing: an empty C function)",
    );
  }
  for (const c of coreCases()) {
    if (only !== undefined && !only.test(c.name)) continue;
    const row: CoreFigure[] = [];
    const kernelCase = kernel?.cases.find((k) => k.name === c.name);
    const impls: [string, () => () => unknown][] = [
      [name, () => c.setup(module)],
      ...(kernel !== undefined && kernelCase !== undefined
        ? [[kernel.name, () => kernelCase.setup(kernel.module)] as [string, () => () => unknown]]
        : []),
      ...PEERS.map(([peer, make]): [string, () => () => unknown] => [peer, () => c.peer(make)]),
    ];
    const failed: string[] = [];
    for (const [impl, build] of impls) {
      // Start each measurement from a collected heap, so one case's garbage (the 100,000
      // range tree of the load case) is not paid for by the next.
      await settle();
      try {
        const t = await timeCall(build(), quick, opts, c.entriesPerCall);
        row.push({ case: c.name, impl, ...t });
      } catch (error) {
        // A version that throws loses its cell, not the run (the peers never throw).
        failed.push(`${impl} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const cells = row.map((f) => `${f.impl} ${f.p50.toFixed(1)} [${f.ns.toFixed(1)}]`);
    const p50 = (impl: string) => row.find((f) => f.impl === impl)?.p50;
    const peers = PEERS.map(([peer]) => p50(peer)).filter((x): x is number => x !== undefined);
    const own = p50(name);
    const ratios: string[] = [];
    if (own !== undefined && peers.length > 0) {
      ratios.push(`best peer/${name} ${(Math.min(...peers) / own).toFixed(2)}x`);
    }
    const theirs = kernel === undefined ? undefined : p50(kernel.name);
    if (own !== undefined && kernel !== undefined && theirs !== undefined) {
      ratios.push(`${name}/${kernel.name} ${(own / theirs).toFixed(2)}x`);
    }
    let floor = "";
    if (c.floor !== undefined) {
      await settle();
      const t = await timeCall(c.floor(module), quick, opts, c.entriesPerCall);
      row.push({ case: c.name, impl: FLOOR, ...t });
      floor = `  ${FLOOR} ${t.p50.toFixed(1)}`;
    }
    figures.push(...row);
    log(`${c.name.padEnd(20)} ${[...cells, ...ratios, ...failed].join("  ")}${floor}`);
  }
  return figures;
}

/** A figure as the table shows it: one decimal below 10, else whole with thousands commas. */
function formatNs(ns: number | undefined): string {
  if (ns === undefined) return "";
  return ns < 10 ? ns.toFixed(1) : Math.round(ns).toLocaleString("en-US");
}

/** Lines of a Markdown table laid out as `deno fmt` lays it out (first column left). */
function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${
      cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
        .join(" | ")
    } |`;
  const rule = `| ${
    widths.map((w, i) => i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)
      .join(" | ")
  } |`;
  return [line(header), rule, ...rows.map(line)];
}

/**
 * The closing table of a run, in Markdown as the README shows it, and the lines under it: the
 * FFI crossing, each kernel figure less its crossings, and where head stands against the goal
 * ({@linkcode KERNEL_GOAL_RATIO}× of the kernel on {@linkcode KERNEL_GOAL_CASES}).
 *
 * @example
 * ```ts
 * import { type CoreFigure, coreTable } from "./core_bench.ts";
 * const figures: CoreFigure[] = [
 *   { case: "ffi/empty-call", impl: "kernel-6.1", ns: 6, p50: 6, samples: 9 },
 *   { case: "core/load-random", impl: "head", ns: 120, p50: 120, samples: 9 },
 *   { case: "core/load-random", impl: "kernel-6.1", ns: 100, p50: 100, samples: 9 },
 * ];
 * console.log(coreTable(figures, "head", "kernel-6.1").join("\n"));
 * ```
 */
export function coreTable(
  figures: readonly CoreFigure[],
  head: string,
  kernel?: string,
): string[] {
  const p50 = (name: string, impl: string) =>
    figures.find((f) => f.case === name && f.impl === impl)?.p50;
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}×`;
  const crossing = kernel === undefined ? undefined : p50(FFI_CASE, kernel);
  const cases = coreCases().filter((c) => figures.some((f) => f.case === c.name));
  const header = [
    "case",
    head,
    ...(kernel !== undefined ? [kernel] : []),
    ...PEERS.map(([peer]) => peer),
    `best peer ÷ ${head}`,
    ...(kernel !== undefined ? [`${head} ÷ kernel`, "FFI share"] : []),
    "copy floor",
  ];
  const rows: string[][] = [];
  const less: string[] = [];
  const met: string[] = [];
  const missed: string[] = [];
  for (const c of cases) {
    const own = p50(c.name, head);
    const peers = PEERS.map(([peer]) => p50(c.name, peer)).filter((x): x is number =>
      x !== undefined
    );
    const best = peers.length > 0 ? Math.min(...peers) : undefined;
    const cells = [c.title, formatNs(own)];
    if (kernel !== undefined) {
      const theirs = p50(c.name, kernel);
      const crossings = crossing === undefined ? undefined : c.ffiCalls * crossing /
        c.entriesPerCall;
      const share = theirs === undefined || crossings === undefined
        ? ""
        : `${Math.round(100 * crossings / theirs)}%`;
      cells.push(formatNs(theirs));
      cells.push(...PEERS.map(([peer]) => formatNs(p50(c.name, peer))));
      cells.push(ratio(best, own), ratio(own, theirs), share);
      if (theirs !== undefined && crossings !== undefined) {
        less.push(`${c.name.replace("core/", "")} ${formatNs(theirs - crossings)}`);
      }
      if (KERNEL_GOAL_CASES.includes(c.name) && own !== undefined && theirs !== undefined) {
        const entry = `${c.name.replace("core/", "")} ${ratio(own, theirs)}`;
        (own / theirs <= KERNEL_GOAL_RATIO ? met : missed).push(entry);
      }
    } else {
      cells.push(...PEERS.map(([peer]) => formatNs(p50(c.name, peer))));
      cells.push(ratio(best, own));
    }
    cells.push(formatNs(p50(c.name, FLOOR)));
    rows.push(cells);
  }
  const lines = markdownTable(header, rows);
  if (kernel !== undefined && crossing !== undefined) {
    lines.push(
      `FFI crossing (${kernel} mb_nop): ${crossing.toFixed(1)} ns; ${kernel} minus ` +
        `its crossings: ${less.join(", ")}`,
    );
    lines.push(
      `${head} ÷ ${kernel} within ${KERNEL_GOAL_RATIO}×: ${met.join(", ") || "none"}; ` +
        `over: ${missed.join(", ") || "none"}`,
    );
  }
  return lines;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "string" },
      quick: { type: "boolean", default: false },
      version: { type: "string", default: "head" },
      kernel: { type: "string", default: DEFAULT_KERNEL },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: deno task bench:core [--json out.json] [--quick] [--version head]\n" +
        `       [--kernel ${DEFAULT_KERNEL}|none] [--only REGEX]`,
    );
    Deno.exit(0);
  }
  try {
    const started = new Date();
    const loaded = await loadVersion(values.version);
    let kernel: KernelColumn | undefined;
    if (values.kernel !== "none") {
      try {
        kernel = await loadKernelColumn(values.kernel);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        console.log(`${values.kernel}: column left out, it does not load here: ${why}`);
      }
    }
    console.log(
      `core bench at ${started.toISOString()}: ${loaded.name}` +
        (kernel ? ` vs ${kernel.name} (${kernel.description}, over FFI)` : "") +
        " vs sorted-btree and @js-sdsl/ordered-map: median ns/op [mean]; dup per entry",
    );
    const only = values.only === undefined ? undefined : new RegExp(values.only);
    const figures = await runCoreBench(
      loaded.name,
      loaded.module,
      values.quick,
      console.log,
      only,
      kernel,
    );
    console.log("");
    for (const line of coreTable(figures, loaded.name, kernel?.name)) console.log(line);
    if (values.json) {
      writeFileSync(
        values.json,
        JSON.stringify({ date: started.toISOString(), figures }, null, 2),
      );
      console.log(`wrote ${values.json}`);
    }
  } catch (error) {
    console.error(`core bench: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
