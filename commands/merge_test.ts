import assert from "node:assert/strict";
import { join } from "node:path";
import type { BisectRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { assertRefused, runCommandFile } from "./test_support.ts";

// Five fixture versions, two probes each: passing ones, one that throws and one that is wrong
// on the generated layout. The hanging fixture is left out so no cell waits for a time limit.
const PLAN = [
  "--manifest",
  join("bisect", "fixtures", "versions", "crash_history.json"),
  "--good",
  "good-a",
  "--bad",
  "wrong",
  "--exhaustive",
  "--mode",
  "crash",
  "--layout",
  "cat-self",
  "--layout",
  "random:vmas=8",
  "--seed",
  "1",
  "--quiet",
];

async function records(dir: string): Promise<BisectRecord[]> {
  const out: BisectRecord[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const value: unknown = JSON.parse(await Deno.readTextFile(join(dir, entry.name)));
    const validation = validateRecord(value);
    assert.ok(validation.ok, `${entry.name}: ${JSON.stringify(validation)}`);
    out.push(value as BisectRecord);
  }
  return out;
}

/** version × probe → outcome, from a record's probes. */
function outcomes(record: BisectRecord): Map<string, string> {
  return new Map(
    record.body.probes.map((p) => [`${p.version} ${p.stressor} ${p.layout} ${p.seed}`, p.outcome]),
  );
}

/** The matrix rows a run prints: `good-a .. 0/2`. */
function matrixRows(stdout: string): string[] {
  return stdout.split("\n").filter((l) => /^ {2}(good|throws|wrong)/.test(l)).map((l) => l.trim());
}

Deno.test("merge: three shard processes give the unsharded run's outcome for every cell", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "merge-e2e-" });
  const whole = join(root, "whole");
  const shards = join(root, "shards");
  const merged = join(root, "merged");
  const foreign = join(root, "foreign");
  const split2 = join(root, "split2");
  try {
    // The three shards name themselves three ways: the flag, MAPLE_SHARD and GitLab's pair.
    const [unsharded, one, two, three, other, half] = await Promise.all([
      runCommandFile("bisect.ts", [...PLAN, "--records", whole]),
      runCommandFile("bisect.ts", [...PLAN, "--records", shards, "--shard", "1/3"]),
      runCommandFile("bisect.ts", [...PLAN, "--records", shards], { MAPLE_SHARD: "2/3" }),
      runCommandFile("bisect.ts", [...PLAN, "--records", shards], {
        CI_NODE_INDEX: "3",
        CI_NODE_TOTAL: "3",
      }),
      runCommandFile("bisect.ts", [...PLAN, "--seed", "2", "--records", foreign, "--shard", "2/3"]),
      runCommandFile("bisect.ts", [...PLAN, "--records", split2, "--shard", "2/2"]),
    ]);
    for (const ran of [unsharded, one, two, three, other, half]) {
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    }
    assert.match(two.stdout, /shard 2\/3 \(from MAPLE_SHARD\) of plan [0-9a-f]{12}: 4 of 10 cells/);
    assert.match(three.stdout, /shard 3\/3 \(from CI_NODE_INDEX\/CI_NODE_TOTAL\)/);
    assert.match(one.stdout, /exhaustive crash matrix, shard 1\/3 .*- another shard's/);

    const [reference] = await records(whole);
    const pieces = await records(shards);
    assert.equal(pieces.length, 3);
    assert.deepEqual(pieces.map((p) => p.body.shard?.index).sort(), [1, 2, 3]);
    assert.equal(new Set(pieces.map((p) => p.body.shard?.plan)).size, 1, "one plan");

    const ran = await runCommandFile("merge.ts", [shards, "--records", merged]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.deepEqual(matrixRows(ran.stdout), matrixRows(unsharded.stdout), "the same table");
    assert.deepEqual(matrixRows(ran.stdout), [
      "good-a    ..  0/2",
      "good-b    ..  0/2",
      "good-c    ..  0/2",
      "throws    C.  1/2",
      "wrong     W.  1/2",
    ]);
    assert.match(ran.stdout, /merged 3 shards of bisect --exhaustive plan [0-9a-f]{12}: 10 probes/);
    const [record] = await records(merged);
    assert.deepEqual(outcomes(record), outcomes(reference), "every cell as the unsharded run");
    assert.equal(record.body.probes.length, reference.body.probes.length);
    assert.deepEqual(record.body.merged?.shards.map((s) => s.index), [1, 2, 3]);
    assert.equal(record.body.shard, undefined);
    assert.match(ran.stdout, new RegExp(`record: .*${record.id}\\.json`));

    await t.step("the merged record is read by history and report", async () => {
      const history = await runCommandFile("history.ts", ["--dir", merged]);
      assert.equal(history.code, 0, history.stderr);
      const out = join(root, "report.html");
      const report = await runCommandFile("report.ts", ["--dir", merged, "--out", out]);
      assert.equal(report.code, 0, report.stderr);
      assert.match(report.stdout, /1 record\(s\)/);
      assert.match(await Deno.readTextFile(out), new RegExp(record.id));
    });

    const file = (dir: string, i = 0) =>
      Array.from(Deno.readDirSync(dir)).map((e) => e.name)
        .filter((n) => n.endsWith(".json")).sort().map((n) => join(dir, n))[i];
    const byIndex = (k: number) => {
      const p = pieces.find((r) => r.body.shard?.index === k)!;
      return join(shards, `${p.id}.json`);
    };

    await t.step("a missing shard is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [byIndex(1), byIndex(3), "--no-record"]);
      assertRefused(ran, 2, /^merge: shard 2\/3 missing \(given: 1\/3, 3\/3\)$/m);
    });

    await t.step("a doubled shard is refused in one line", async () => {
      const twice = join(root, "twice.json");
      const copy = structuredClone(pieces.find((r) => r.body.shard?.index === 2)!);
      await Deno.writeTextFile(
        twice,
        JSON.stringify({ ...copy, id: `${copy.id.slice(0, -4)}beef` }),
      );
      const ran = await runCommandFile("merge.ts", [shards, twice, "--no-record"]);
      assertRefused(ran, 2, /^merge: shard 2\/3 given twice: .* and .*twice\.json/m);
    });

    await t.step("a shard of another plan is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [byIndex(1), file(foreign), byIndex(3)]);
      assertRefused(
        ran,
        2,
        /^merge: .*foreign.*belongs to another plan \([0-9a-f]{12}, the other 2/m,
      );
    });

    await t.step("a shard of another split is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [byIndex(1), file(split2), byIndex(3)]);
      assertRefused(
        ran,
        2,
        /^merge: .* is shard 1\/3 but .* is shard 2\/2: the shards of one merge/m,
      );
    });

    await t.step("no shards, or a file that is none, is refused in one line", async () => {
      assertRefused(
        await runCommandFile("merge.ts", [file(whole)]),
        2,
        /^merge: .* is not a shard record: merge takes the records of runs with --shard K\/N$/m,
      );
      assertRefused(await runCommandFile("merge.ts", []), 2, /^merge: give the shard records/m);
      assertRefused(await runCommandFile("merge.ts", [whole]), 2, /^merge: no shard records in /m);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
