import assert from "node:assert/strict";
import { loadVersion } from "../../core/loader.ts";
import { fixtureNames, resolveLayout } from "../layouts/mod.ts";
import { TASK_SIZE } from "../mm.ts";
import { Mwc } from "../prng.ts";
import { runProbeWith } from "../probe.ts";
import { PAGE_SIZE } from "../vma.ts";
import { caseProbe, generateCase, MAX_NEAR_MUTATIONS } from "./case_gen.ts";
import { mutateNear } from "./mutate.ts";

const { module: reference } = await loadVersion("testing/reference");

Deno.test("edits near a user's layout keep it a valid address space", () => {
  for (const name of fixtureNames()) {
    const base = resolveLayout(name, 1).vmas;
    assert.deepEqual(mutateNear(new Mwc(1), base, 0), [...base], "no edits: the layout as it is");
    for (let seed = 1; seed <= 200; seed++) {
      const vmas = mutateNear(new Mwc(seed), base, 1 + (seed % 12));
      assert.ok(vmas.length > 0);
      for (let i = 0; i < vmas.length; i++) {
        const vma = vmas[i];
        assert.ok(vma.start % PAGE_SIZE === 0 && vma.end % PAGE_SIZE === 0 && vma.start < vma.end);
        if (i > 0) assert.ok(vma.start >= vmas[i - 1].end, `${name} seed ${seed}: overlap at ${i}`);
      }
      assert.ok(vmas.at(-1)!.end <= Math.max(TASK_SIZE, base.at(-1)!.end));
    }
  }
});

Deno.test("cases near a layout start from it, stay close to it, and pass on the reference", () => {
  const base = resolveLayout("cat-self", 1).vmas;
  const near = [{ label: "cat-self.maps", vmas: base }];
  let unchanged = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const fuzzCase = generateCase(reference, "fork", seed, near);
    assert.deepEqual(fuzzCase, generateCase(reference, "fork", seed, near));
    assert.match(
      fuzzCase.label,
      new RegExp(`^cat-self\\.maps(\\+[1-${MAX_NEAR_MUTATIONS}] edits?)?$`),
    );
    if (fuzzCase.label === "cat-self.maps") {
      unchanged++;
      assert.deepEqual(fuzzCase.layout, base);
    }
    // A handful of edits moves the VMA count by a few, never by a different process's worth.
    assert.ok(Math.abs(fuzzCase.layout.length - base.length) <= 60, fuzzCase.label);
    const result = runProbeWith(reference, {
      version: "testing/reference",
      ...caseProbe(fuzzCase),
    });
    assert.equal(result.outcome, "pass", `${seed}: ${result.failure?.message}`);
  }
  assert.ok(unchanged > 0 && unchanged < 40, `${unchanged} of 40 cases kept the layout as it is`);
});
