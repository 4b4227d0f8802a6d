import assert from "node:assert/strict";
import { join } from "node:path";
import type { MutationRecord } from "../bisect/mutate/report.ts";
import { assertRefused, runCommandFile } from "./test_support.ts";

// The fixture's five mutants under one quick probe, unscreened: three are killed, two
// survive. A fixed time limit keeps the shards' judgements alike on a busy machine.
const PLAN = [
  "--version",
  "bisect/fixtures/mutable/tree",
  "--layout",
  "cat-self",
  "--seed",
  "1",
  "--ops",
  "2",
  "--shape-oracle",
  "none",
  "--no-screen",
  "--time-limit",
  "20000",
];

async function records(dir: string): Promise<{ path: string; record: MutationRecord }[]> {
  const out: { path: string; record: MutationRecord }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const path = join(dir, entry.name);
    out.push({ path, record: JSON.parse(await Deno.readTextFile(path)) as MutationRecord });
  }
  return out.sort((a, b) => (a.record.shard?.index ?? 0) - (b.record.shard?.index ?? 0));
}

/** id → status, and the probe that killed it. */
function verdicts(record: MutationRecord): Map<string, string> {
  return new Map(
    record.report.mutants.map((m) => [m.id, `${m.status} ${m.killedBy?.probe ?? ""}`.trim()]),
  );
}

/** The score line without its wall time. */
function scoreLine(stdout: string): string {
  return stdout.split("\n").find((l) => l.startsWith("mutate: score "))!.replace(/; [\d.]+ s$/, "");
}

Deno.test("mutate --shard: bad shards get one line and exit 2, before anything runs", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--shard", "0/3"], {}, /^mutate: --shard 0\/3: shards count from 1, so K is 1 to 3$/m],
    [["--shard", "x"], {}, /^mutate: --shard wants K\/N, two whole numbers like 2\/3, got "x"$/m],
    [
      [],
      { MAPLE_SHARD: "1/3", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" },
      /^mutate: MAPLE_SHARD says shard 1\/3 but CI_NODE_INDEX\/CI_NODE_TOTAL says 2\/3/m,
    ],
    [
      [],
      { JOB_COMPLETION_INDEX: "0" },
      /^mutate: JOB_COMPLETION_INDEX=0 is set but MAPLE_SHARD_COUNT is not/m,
    ],
  ];
  for (const [args, env, message] of cases) {
    const ran = await runCommandFile("mutate.ts", [...PLAN, "--no-record", ...args], env);
    assertRefused(ran, 2, message);
    assert.equal(ran.stdout, "", "nothing ran");
  }
});

Deno.test("mutate --shard: three shard processes merge into the unsharded run's verdicts", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "mutate-shard-" });
  const whole = join(root, "whole");
  const shards = join(root, "shards");
  const merged = join(root, "merged");
  const foreign = join(root, "foreign");
  try {
    // The shards name themselves three ways: the flag, MAPLE_SHARD and Buildkite's pair.
    const [unsharded, one, two, three, other] = await Promise.all([
      runCommandFile("mutate.ts", [...PLAN, "--records", whole]),
      runCommandFile("mutate.ts", [...PLAN, "--records", shards, "--shard", "1/3"]),
      runCommandFile("mutate.ts", [...PLAN, "--records", shards], { MAPLE_SHARD: "2/3" }),
      runCommandFile("mutate.ts", [...PLAN, "--records", shards], {
        BUILDKITE_PARALLEL_JOB: "2",
        BUILDKITE_PARALLEL_JOB_COUNT: "3",
      }),
      // Another plan: the same mutants, another probe.
      runCommandFile("mutate.ts", [...PLAN, "--ops", "3", "--records", foreign, "--shard", "2/3"]),
    ]);
    for (const ran of [unsharded, one, two, three, other]) {
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    }
    assert.match(one.stdout, /5 sites in write\.ts; 2 of 5 mutants/);
    assert.match(one.stdout, /shard 1\/3 \(from --shard\) of plan [0-9a-f]{12}: 2 of 5 mutants/);
    assert.match(two.stdout, /shard 2\/3 \(from MAPLE_SHARD\) of plan [0-9a-f]{12}: 2 of 5/);
    assert.match(
      three.stdout,
      /shard 3\/3 \(from BUILDKITE_PARALLEL_JOB\/BUILDKITE_PARALLEL_JOB_COUNT\) .*: 1 of 5/,
    );
    // Every shard runs the baseline itself.
    for (const ran of [one, two, three]) assert.match(ran.stdout, /passes 1 of 1 probes/);

    const [reference] = await records(whole);
    assert.equal(reference.record.shard, undefined);
    const pieces = await records(shards);
    assert.deepEqual(pieces.map((p) => p.record.shard?.index), [1, 2, 3]);
    assert.equal(new Set(pieces.map((p) => p.record.shard?.plan)).size, 1, "one plan");
    const [foreignShard] = await records(foreign);
    assert.notEqual(foreignShard.record.shard?.plan, pieces[0].record.shard?.plan);
    // Together the shards judged the unsharded run's mutants, each once.
    const judged = pieces.flatMap((p) => p.record.report.mutants.map((m) => m.id));
    assert.deepEqual([...judged].sort(), [...verdicts(reference.record).keys()].sort());
    assert.equal(
      pieces[0].record.report.counts.killed + pieces[0].record.report.counts.survived,
      2,
    );

    const ran = await runCommandFile("merge.ts", [shards, "--records", merged]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /merged 3 shards of mutate plan [0-9a-f]{12}: 5 mutants, 1 machine/);
    assert.equal(scoreLine(ran.stdout), scoreLine(unsharded.stdout), "the same score line");
    assert.match(scoreLine(ran.stdout), /score 60\.0% \(3 killed of 5\); killed 3, survived 2/);
    const [result] = await records(merged);
    assert.match(ran.stdout, new RegExp(`record: .*${result.record.id}\\.json`));
    assert.deepEqual(verdicts(result.record), verdicts(reference.record), "every mutant alike");
    assert.deepEqual(
      result.record.report.mutants.map((m) => m.id),
      reference.record.report.mutants.map((m) => m.id),
      "in plan order",
    );
    assert.deepEqual(result.record.report.counts, reference.record.report.counts);
    assert.equal(result.record.report.score, reference.record.report.score);
    assert.equal(result.record.report.planned, undefined);
    assert.equal(result.record.shard, undefined);
    assert.deepEqual(result.record.merged?.shards.map((s) => s.units), [2, 2, 1]);

    await t.step("a missing shard is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [pieces[0].path, pieces[2].path]);
      assertRefused(ran, 2, /^merge: shard 2\/3 missing \(given: 1\/3, 3\/3\)$/m);
    });

    await t.step("a doubled shard is refused in one line", async () => {
      const twice = join(root, "twice.json");
      const copy = pieces[1].record;
      await Deno.writeTextFile(twice, JSON.stringify({ ...copy, id: `${copy.id}-again` }));
      const ran = await runCommandFile("merge.ts", [shards, twice, "--no-record"]);
      assertRefused(ran, 2, /^merge: shard 2\/3 given twice: .* and .*twice\.json/m);
    });

    await t.step("a shard of another plan is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [
        pieces[0].path,
        foreignShard.path,
        pieces[2].path,
      ]);
      assertRefused(
        ran,
        2,
        /^merge: .*foreign.*belongs to another plan \([0-9a-f]{12}, the other 2/m,
      );
    });

    await t.step("an unsharded mutate record is no shard", async () => {
      const ran = await runCommandFile("merge.ts", [reference.path]);
      assertRefused(
        ran,
        2,
        /^merge: .* is not a shard record: merge takes the records of runs with/m,
      );
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
