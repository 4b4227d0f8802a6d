/**
 * Child of the crash band (`crash_band.ts`): for each size from FROM to TO, builds an
 * all-gapped allocation tree of that many ranges with VERSION, forks it twice (a dup of the
 * tree, then a dup of the copy) and prints `size N ok` or `size N crash MESSAGE`. A
 * JavaScript exception is caught here; a native crash ends the process, and the parent
 * counts the size after the last line printed as crashed.
 *
 * @example
 * ```sh
 * deno run -A bench/crash_band_main.ts kernel-6.1-undercount 1 200
 * ```
 *
 * @module
 */

import { loadVersion } from "../core/loader.ts";

/** Ranges [16i, 16i+9] pages apart: every range has an empty neighbour on both sides. */
export const GAPPED_STRIDE = 16;

if (import.meta.main) {
  const [version, from, to] = Deno.args;
  const { module } = await loadVersion(version);
  const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
  for (let size = Number(from); size <= Number(to); size++) {
    const tree = module.createTree<number>({ allocRange: true });
    for (let i = 0; i < size; i++) tree.store(GAPPED_STRIDE * i, GAPPED_STRIDE * i + 9, i + 1);
    try {
      tree.dup().dup();
      say(`size ${size} ok`);
    } catch (error) {
      say(`size ${size} crash ${(error as Error).name}: ${(error as Error).message}`);
    }
    tree.clear();
  }
}
