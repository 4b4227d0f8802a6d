/**
 * Instruction counts decide a perf bisect that time cannot: a copy of the 6.1 tree with a small
 * honest extra computation in `mas_store` (a patch this test applies to a temporary copy, never
 * committed kernel code) is found first slowed in [clean, clean, slowed, slowed] at a 1%
 * threshold, and the counts of one build repeat exactly. Needs valgrind and a kernel tree.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import { largestRise, searchInstructions } from "./instruction_search.ts";
import { patchedKernelVersion } from "../testing/kernel_patch.ts";

const gate = kernelTestGate("kernel-6.1");
const STORE = /void \*mas_store\(struct ma_state \*mas, void \*entry\)\n\{\n/;
/** About 80 instructions on every mas_store: a few percent of a store, far below time's noise. */
const EXTRA =
  "{ volatile unsigned long mb_extra = 0; for (int i = 0; i < 16; i++) mb_extra += i; }";

/** A kernel version folder over a copy of the 6.1 tree, slowed or not. */
function version(dir: string, name: string, slowed: boolean): { name: string; folder: string } {
  const patch = slowed ? { opening: STORE, line: EXTRA } : undefined;
  return { name, folder: patchedKernelVersion(dir, name, gate.tree, patch) };
}

Deno.test("largestRise names the kind that rose most", () => {
  const before = { total: 1000, byKind: { store: 600, load: 400 } };
  const after = { total: 1012, byKind: { store: 612, load: 400 } };
  assert.deepEqual(largestRise(before, after), {
    kind: "store",
    before: 600,
    after: 612,
    change: 0.020000000000000018,
  });
  assert.equal(largestRise(before, before).change, 0);
});

Deno.test({
  name: "instruction bisect: a small slowdown of mas_store is found at 1%, counts repeat",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const dir = mkdtempSync(join(tmpdir(), "maple-instructions-"));
    try {
      const versions = [
        version(dir, "clean-a", false),
        version(dir, "clean-b", false),
        version(dir, "slowed-a", true),
        version(dir, "slowed-b", true),
      ];
      const verdict = await searchInstructions(versions, { threshold: 0.01, seed: 1, scale: 0.1 });
      assert.equal(verdict.deterministic, true, "the same build counted twice, identically");
      assert.equal(verdict.firstSlower, "slowed-a");
      assert.equal(verdict.lastGood, "clean-b");
      assert.ok(verdict.change!.change > 0.01 && verdict.change!.change < 0.2);
      assert.ok(["store", "insert", "erase", "fork"].includes(verdict.change!.kind));
      assert.deepEqual(verdict.skipped, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
