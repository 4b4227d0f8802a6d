import assert from "node:assert/strict";
import { DifferentialMismatchError, NodeAccountingError } from "./check_errors.ts";
import { withFaults } from "./fault_injection.ts";
import { runProbe } from "./probe.ts";
import { loadTestModule } from "./test_version.ts";
import { runTreeSession, type TreeSessionSpec } from "./tree_session.ts";

const module = await loadTestModule();

const spaces: TreeSessionSpec[] = [16, 100, 1_000, 20_000].flatMap((keys) =>
  [true, false].map((allocRange) => ({ seed: keys, ops: 400, keys, allocRange }))
);

Deno.test("tree sessions: head agrees with the model on both tree kinds and every key space", () => {
  for (const spec of spaces) runTreeSession(module, spec, true);
});

Deno.test("tree sessions: a wrong answer, a wrong old value and a hoarded node are each caught", () => {
  const spec: TreeSessionSpec = { seed: 3, ops: 400, keys: 100, allocRange: true };
  const liar = withFaults(module, { loadHides: (index) => index % 7 === 3 });
  assert.throws(() => runTreeSession(liar, spec, true), DifferentialMismatchError);
  const forgetful = withFaults(module, { storeReturnsNothing: true });
  assert.throws(
    () => runTreeSession(forgetful, spec, true),
    /the old value gave null but the model \d+ \(during tree session seed 3, op \d+ \(cursor store/,
  );
  const hoarder = withFaults(module, { liveExtra: 1 });
  assert.throws(() => runTreeSession(hoarder, spec, true), NodeAccountingError);
  // Unchecked, the same faults pass: a timed probe only runs the operations.
  runTreeSession(liar, spec, false);
});

Deno.test("the tree stressor: head passes, v1.2.0 crashes on the seed's bug", async () => {
  const probe = { stressor: "tree", layout: "glibc", seed: 1, ops: 10, verify: true } as const;
  assert.equal((await runProbe({ version: "head", ...probe })).outcome, "pass");
  const bad = await runProbe({ version: "v1.2.0", ...probe, ops: 30 });
  assert.equal(bad.outcome, "crash");
  assert.match(bad.failure!.message, /Cannot set properties of null/);
  assert.match(bad.failure!.operation, /^tree session seed \d+ \(100 ops, \d+ keys, /);
});
