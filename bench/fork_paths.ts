/**
 * The fork path of kernel versions, timed: how long the tree part of `dup_mmap` takes on
 * 6.1's bulk path (`mas_expected_entries`, one in-order `mas_store` per VMA, `mas_destroy`)
 * and on 6.8's `__mt_dup` (a node-by-node copy, then one pass replacing every entry), for
 * VMA counts from 21 to 6,421 and for real layouts. The forks are timed inside the shim
 * (`mb_fork_nanoseconds`), so neither FFI crossings nor the copies' teardown are in the figure.
 *
 * @example
 * ```ts
 * import { forkNanoseconds } from "./fork_paths.ts";
 * import { loadVersion } from "../core/loader.ts";
 * export async function oneFigure(): Promise<number> {
 *   const { module } = await loadVersion("kernel-6.1");
 *   return forkNanoseconds(module, "bulk", "random:vmas=121", 50);
 * }
 * ```
 *
 * @module
 */

import type { MapleModule } from "../core/contract.ts";
import { KernelTree } from "../core/kernel/tree.ts";
import { resolveLayout } from "../workloads/layouts/mod.ts";

/** The VMA counts of the `__mt_dup` series' figures: 21 VMAs plus 0 to 6,400 added. */
export const VMA_COUNTS: readonly number[] = [21, 121, 221, 421, 821, 1621, 3221, 6421];

/** Whole-fork throughput gains the series reported (byte-unixbench spawn), by VMA count. */
export const PUBLISHED_GAIN: Readonly<Record<number, number>> = {
  21: 2.4,
  121: 13.1,
  221: 20.2,
  421: 26.4,
  821: 38.2,
  1621: 44.7,
  3221: 47.9,
  6421: 53.0,
};

/** A layout for `count` VMAs: a real capture by name, or `random:vmas=N` (VMA-like gaps). */
export function layoutFor(count: number): string {
  return `random:vmas=${count}`;
}

/**
 * Median nanoseconds of one fork of `layout`'s tree by `path`, over `rounds` rounds of
 * enough forks to fill about a millisecond each; `NaN` when the version lacks the path.
 *
 * @example
 * ```ts
 * import { forkNanoseconds } from "./fork_paths.ts";
 * import { loadVersion } from "../core/loader.ts";
 * export const copyPath = async () =>
 *   forkNanoseconds((await loadVersion("kernel-6.1")).module, "copy", "cat-self", 5); // NaN: 6.1 has no __mt_dup
 * ```
 */
export function forkNanoseconds(
  module: MapleModule,
  path: "bulk" | "copy",
  layout: string,
  rounds: number,
): number {
  const tree = module.createTree<number>({ allocRange: true });
  if (!(tree instanceof KernelTree)) throw new Error("fork paths are timed on kernel versions");
  const vmas = resolveLayout(layout, 1).vmas;
  vmas.forEach((vma, i) => tree.store(vma.start, vma.end - 1, i + 1));
  const code = path === "copy" ? 2 : 1;
  const fork = tree.shim.symbols.mb_fork_nanoseconds;
  if (fork(tree.pointer, code, 1) < 0) return NaN;
  const once = fork(tree.pointer, code, 3) / 3;
  const reps = Math.max(1, Math.round(1e6 / Math.max(once, 1)));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(fork(tree.pointer, code, reps) / reps);
  tree.clear();
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
