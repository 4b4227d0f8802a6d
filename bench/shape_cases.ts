/**
 * Shape cases: what a version's tree looks like after a fixed workload, recorded beside the
 * timings so that `history` and `report` draw memory release by release (or commit by
 * commit) as they draw speed. One VMA-like allocation tree of 10,000 gapped ranges is stored
 * in address order, then churned: 4,096 splits of a range in three (a sub-range unmapped or
 * reprotected, as munmap and mprotect do), every other one restored. The figures are the
 * node count (`shape/nodes`, all kinds) and the height (`shape/height`) of the result.
 *
 * The workload is seeded and the figures are counts, not times: one sample per run, the same
 * on every run of the same code, so any step between two versions is the code's.
 *
 * @example
 * ```ts
 * import { shapeCases } from "./shape_cases.ts";
 * import * as head from "../core/head/mod.ts";
 * for (const c of shapeCases()) console.log(c.name, c.count!(head), c.unit);
 * ```
 *
 * @module
 */

import type { MapleModule, MapleTree } from "../core/contract.ts";
import { prng, vmaLayout } from "./core_cases.ts";
import type { BenchCase } from "./harness.ts";

/** Ranges stored before the churn. */
export const SHAPE_RANGES = 10_000;
/** Splits made by the churn (half of them restored). */
export const SHAPE_SPLITS = 4_096;

const PAGE = 4096;

/**
 * Build the shape workload's tree on `module`: the same writes on every version.
 *
 * @example
 * ```ts
 * import { shapeWorkload } from "./shape_cases.ts";
 * import * as head from "../core/head/mod.ts";
 * const tree = shapeWorkload(head);
 * console.log(tree.height(), tree.nodeCounts().total);
 * ```
 */
export function shapeWorkload(module: MapleModule): MapleTree<number> {
  const layout = vmaLayout(SHAPE_RANGES, 11);
  const tree = module.createTree<number>({ allocRange: true });
  for (let i = 0; i < SHAPE_RANGES; i++) tree.store(layout.first[i], layout.last[i], i + 1);
  const rnd = prng(12);
  for (let done = 0; done < SHAPE_SPLITS;) {
    const k = Math.floor(rnd() * SHAPE_RANGES);
    const pages = (layout.last[k] + 1 - layout.first[k]) / PAGE;
    if (pages < 3) continue;
    const a = 1 + Math.floor(rnd() * (pages - 2));
    const b = a + 1 + Math.floor(rnd() * (pages - 1 - a));
    tree.store(
      layout.first[k] + a * PAGE,
      layout.first[k] + b * PAGE - 1,
      rnd() < 0.5 ? undefined : -1,
    );
    // Every other split is put back, so the tree both grows and merges, as a process's does.
    if (done % 2 === 1) tree.store(layout.first[k], layout.last[k], k + 1);
    done++;
  }
  return tree;
}

/**
 * The two shape cases, in the harness's {@linkcode BenchCase} shape with a `count`.
 *
 * @example
 * ```ts
 * import { shapeCases } from "./shape_cases.ts";
 * console.log(shapeCases().map((c) => `${c.name} (${c.unit})`)); // ["shape/nodes (nodes)", "shape/height (levels)"]
 * ```
 */
export function shapeCases(): BenchCase[] {
  const unused = () => () => undefined;
  return [
    {
      name: "shape/nodes",
      group: "shape",
      unit: "nodes",
      better: "lower",
      setup: unused,
      count: (module) => shapeWorkload(module).nodeCounts().total,
    },
    {
      name: "shape/height",
      group: "shape",
      unit: "levels",
      better: "lower",
      setup: unused,
      count: (module) => shapeWorkload(module).height(),
    },
  ];
}
