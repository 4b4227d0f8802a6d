import assert from "node:assert/strict";
import { join } from "node:path";
import { type ProbeCase, ProbeRunner, ProbeSpecRejected, SUITE_ROOT } from "./runner.ts";

const FIXTURES = join(SUITE_ROOT, "bisect", "fixtures", "versions");
const version = (name: string) => ({ name, folder: join(FIXTURES, name) });
// cat-self has 37 VMAs: above the 12 at which the fixtures misbehave.
const FORK: ProbeCase = { stressor: "fork", layout: "cat-self", seed: 1, ops: 10, verify: true };
const runner = new ProbeRunner({ limits: { timeMs: 4_000, memoryMb: 64 }, concurrency: 2 });

Deno.test("runner: every outcome class from a real child", async (t) => {
  const cases: [string, string, (kind: string, message: string) => boolean][] = [
    ["good-a", "pass", () => true],
    ["throws", "crash", (kind, message) => kind === "TypeError" && message.includes("parent")],
    ["wrong", "wrong", (kind) => kind === "DifferentialMismatchError"],
    [
      "invalid",
      "invalid",
      (kind, message) => kind === "MapleInvariantError" && message.includes("pivot-order"),
    ],
    ["leak", "leak", (kind) => kind === "LeakError"],
    ["loops", "hang", (kind, message) => kind === "Timeout" && message.includes("4000 ms")],
    ["allocs", "oom", (kind, message) => kind === "OutOfMemory" && message.includes("64 MB")],
    ["broken-types", "skip", (kind) => kind === "TypeCheckError"],
    [
      "broken-load",
      "skip",
      (kind, message) => kind === "LoadError" && message.includes("geometry"),
    ],
  ];
  const runs = await Promise.all(cases.map(([name]) => runner.run(version(name), FORK)));
  for (const [i, [name, outcome, evidence]] of cases.entries()) {
    await t.step(`${name} -> ${outcome}`, () => {
      const run = runs[i];
      assert.equal(run.outcome, outcome, JSON.stringify(run.failure));
      assert.equal(run.spec.version, name, "the record names the version, not its folder");
      if (outcome === "pass") {
        assert.equal(run.failure, undefined);
        assert.ok(run.result && run.result.opsPerSecond > 0);
      } else {
        assert.ok(run.failure, "a failure carries evidence");
        assert.ok(evidence(run.failure.kind, run.failure.message), JSON.stringify(run.failure));
      }
    });
  }
  const crash = runs[1];
  assert.ok(
    crash.failure!.frames.some((f) => f.includes("throws/mod.ts")),
    "top frames point into the version",
  );
  assert.equal(runner.probesRun, cases.length);
});

Deno.test("runner: a small tree does not trigger the fixtures, so the condition is the layout", async () => {
  const small: ProbeCase = { ...FORK, layout: "random:vmas=8" };
  const run = await runner.run(version("throws"), small);
  assert.equal(run.outcome, "pass", JSON.stringify(run.failure));
});

Deno.test("runner: a spec the probe refuses stops the session with one line", async () => {
  await assert.rejects(
    () => runner.run(version("good-a"), { ...FORK, layout: "no-such-layout" }),
    (error: Error) => error instanceof ProbeSpecRejected && !error.message.includes("\n"),
  );
});
