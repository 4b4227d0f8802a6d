import assert from "node:assert/strict";
import { loadVersion } from "../../core/loader.ts";
import { resolveLayout } from "../layouts/mod.ts";
import { Mwc } from "../prng.ts";
import { runProbeWith } from "../probe.ts";
import { STRESSOR_NAMES } from "../probe_types.ts";
import { makeVma, PAGE_SIZE } from "../vma.ts";
import { caseProbe, generateCase, MAX_CASE_OPERATIONS } from "./case_gen.ts";
import { mutateLayout } from "./mutate.ts";
import { materializePrefix, mergeNeighbours, shortenVma, simplerOperations } from "./reduce.ts";

const { module: reference } = await loadVersion("testing/reference");

Deno.test("generated cases are deterministic, bounded and pass on the reference", () => {
  for (const stressor of STRESSOR_NAMES) {
    for (const seed of [1, 2, 3]) {
      const a = generateCase(reference, stressor, seed);
      assert.deepEqual(a, generateCase(reference, stressor, seed));
      assert.ok(a.operations.length <= MAX_CASE_OPERATIONS);
      assert.ok(a.layout.length > 0);
      for (let i = 1; i < a.layout.length; i++) assert.ok(a.layout[i].start >= a.layout[i - 1].end);
      const result = runProbeWith(reference, { version: "testing/reference", ...caseProbe(a) });
      assert.equal(result.outcome, "pass", `${stressor} ${seed}: ${result.failure?.message}`);
    }
  }
  assert.notDeepEqual(generateCase(reference, "fork", 1), generateCase(reference, "fork", 2));
});

Deno.test("mutated real layouts stay sorted and non-overlapping", () => {
  const base = resolveLayout("python3-self", 1).vmas;
  for (let seed = 0; seed < 50; seed++) {
    const vmas = mutateLayout(new Mwc(seed), base, 20);
    for (let i = 1; i < vmas.length; i++) {
      assert.ok(vmas[i].start >= vmas[i - 1].end, `seed ${seed}`);
    }
    assert.notDeepEqual(vmas, base);
  }
});

Deno.test("reductions merge, shorten, simplify and fold operations into the layout", () => {
  const a = makeVma({ start: 0x10000, end: 0x12000 });
  const b = makeVma({ start: 0x20000, end: 0x24000, prot: 1 });
  assert.deepEqual(mergeNeighbours([a, b], 0), [makeVma({ ...a, end: 0x24000 })]);
  assert.equal(mergeNeighbours([a, b], 1), undefined);
  assert.equal(shortenVma([a, b], 1, 1)![1].end, 0x21000);
  assert.equal(shortenVma([a, b], 0, 2), undefined, "not shorter");
  assert.deepEqual(simplerOperations({ op: "munmap", addr: 0x10000, length: 3 * PAGE_SIZE }), [
    { op: "munmap", addr: 0x10000, length: PAGE_SIZE },
  ]);
  assert.deepEqual(simplerOperations({ op: "clone", shared: false }), [{ op: "fork" }]);
  assert.deepEqual(simplerOperations({ op: "fork" }), []);
  const folded = materializePrefix(reference, {
    label: "t",
    stressor: "fork",
    seed: 1,
    layout: [a, b],
    operations: [{ op: "munmap", addr: 0x21000, length: PAGE_SIZE }, { op: "fork" }, {
      op: "exit",
    }],
  })!;
  assert.equal(folded.layout.length, 3);
  assert.deepEqual(folded.operations, [{ op: "fork" }, { op: "exit" }]);
});
