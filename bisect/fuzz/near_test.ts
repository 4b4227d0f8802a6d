/**
 * Fuzzing near a user's layout: from one shipped real map, the seed's bug of v1.2.0 is
 * found and shrunk, as a maintainer holding the failing machine's maps would search near it.
 */
import assert from "node:assert/strict";
import { loadVersion } from "../../core/loader.ts";
import { materializePrefix } from "../../workloads/fuzz/mod.ts";
import { resolveLayout } from "../../workloads/layouts/mod.ts";
import { inProcessCaseRunner } from "./case_runner.ts";
import { fuzz } from "./fuzz.ts";
import { shrink } from "./shrink.ts";

const { module: reference } = await loadVersion("testing/reference");
const { module: seedBug } = await loadVersion("v1.2.0");

Deno.test("fuzz near cat-self's map finds v1.2.0's fork crash, and it shrinks", async () => {
  const run = inProcessCaseRunner(seedBug, "v1.2.0");
  const layouts = [{ label: "cat-self.maps", vmas: resolveLayout("cat-self", 0).vmas }];
  const report = await fuzz({
    trusted: reference,
    stressor: "fork",
    timeMs: 60_000,
    firstSeed: 1,
    run,
    layouts,
  });
  assert.ok(report.found, `no failure in ${report.cases} cases`);
  const { fuzzCase, verdict } = report.found;
  assert.match(fuzzCase.label, /^cat-self\.maps\+\d edits?$/);
  assert.equal(verdict.signature, "crash fillNode (split.ts)");
  const shrunk = await shrink(fuzzCase, {
    run,
    signature: verdict.signature,
    materialize: (c) => materializePrefix(reference, c),
  });
  assert.ok(
    shrunk.after.vmas < shrunk.before.vmas,
    `${shrunk.before.vmas} -> ${shrunk.after.vmas}`,
  );
  assert.equal((await run(shrunk.fuzzCase)).signature, verdict.signature);
  assert.equal((await inProcessCaseRunner(reference, "ref")(shrunk.fuzzCase)).outcome, "pass");
});
