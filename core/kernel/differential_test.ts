/**
 * Head against the kernel's own 6.1 tree (see `differential.ts`): 200,000 seeded operations
 * by default, every answer and every write's shape compared, known differences counted and
 * printed. `MAPLE_SEED` replays a seed; `MAPLE_KERNEL_OPS` sets the operation count.
 *
 * @module
 */

import { loadVersion } from "../loader.ts";
import { compareWithKernel } from "./differential.ts";
import { kernelTestGate } from "./test_support.ts";

const SEED = Number(Deno.env.get("MAPLE_SEED") ?? 20221211);
const OPS = Number(Deno.env.get("MAPLE_KERNEL_OPS") ?? 200_000);

const gate = kernelTestGate("kernel-6.1");

Deno.test({
  name: `differential: head and kernel-6.1 over ${OPS} operations, shapes after every write`,
  ignore: gate.skip,
  async fn() {
    gate.require();
    const head = (await loadVersion("head")).module;
    const kernel = (await loadVersion("kernel-6.1")).module;
    const counts = Object.entries(compareWithKernel(head, kernel, { ops: OPS, seed: SEED }))
      .map(([name, n]) => `${name}: ${n}`).join("; ");
    console.log(
      `kernel differential, seed ${SEED}, ${OPS} operations; known differences: ${counts}`,
    );
  },
});
