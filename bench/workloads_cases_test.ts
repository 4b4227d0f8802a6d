import assert from "node:assert/strict";
import { loadVersion } from "../core/loader.ts";
import { STRESSOR_NAMES } from "../workloads/probe_types.ts";
import { benchStressor } from "./workloads_bench.ts";
import { OPS_PER_CALL, workloadCases } from "./workloads_cases.ts";

const { module } = await loadVersion("head");

Deno.test("one ops/s case per stressor, each call doing its bogo ops", () => {
  const cases = workloadCases();
  assert.deepEqual(cases.map((c) => c.name), STRESSOR_NAMES.map((s) => `workloads/${s}-glibc`));
  for (const c of cases) {
    assert.equal(c.unit, "ops/s");
    const call = c.setup(module) as () => number;
    const stressor = c.name.slice(
      "workloads/".length,
      -"-glibc".length,
    ) as keyof typeof OPS_PER_CALL;
    assert.equal(call(), OPS_PER_CALL[stressor], c.name);
    assert.equal(c.opsPerCall, OPS_PER_CALL[stressor]);
  }
});

Deno.test("benchStressor counts bogo ops over the time it was given", () => {
  const figures = benchStressor(module, "fork", 0.05);
  assert.ok(figures.bogoOps > 0);
  assert.ok(figures.realSeconds >= 0.05);
});
