import assert from "node:assert/strict";
import { join } from "node:path";
import type { FuzzRun } from "../bisect/fuzz/campaign.ts";
import { assertRefused, type Ran, runCommandFile } from "./test_support.ts";

// A version without the bug: every case of the campaign runs, in process, in well under 1 s.
const CLEAN = [
  "--version",
  "testing/reference",
  "--seed",
  "1",
  "--max-cases",
  "12",
  "--in-process",
];
// From seed 40, v1.2.0's seed bug first shows at seed 64 (see fuzz_resume_test.ts).
const BUGGY = ["--version", "v1.2.0", "--seed", "40", "--max-cases", "30"];

async function files(dir: string): Promise<{ path: string; run: FuzzRun }[]> {
  const out: { path: string; run: FuzzRun }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const path = join(dir, entry.name);
    out.push({ path, run: JSON.parse(await Deno.readTextFile(path)) as FuzzRun });
  }
  return out.sort((a, b) => (a.run.shard?.index ?? 0) - (b.run.shard?.index ?? 0));
}

/** The three shards of `plan`, writing to `dir`, named three ways. */
function threeShards(plan: string[], dir: string, out: string): Promise<Ran[]> {
  const args = [...plan, "--records", dir, "--out", out];
  return Promise.all([
    runCommandFile("fuzz.ts", [...args, "--shard", "1/3"]),
    runCommandFile("fuzz.ts", args, { MAPLE_SHARD: "2/3" }),
    runCommandFile("fuzz.ts", args, { JOB_COMPLETION_INDEX: "2", MAPLE_SHARD_COUNT: "3" }),
  ]);
}

Deno.test("fuzz --shard: a campaign split by --time could not add up, so --max-cases is required", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ["--shard", "2/3"],
      {},
      /^fuzz: shard 2\/3 \(from --shard\) needs --max-cases N: without it the cases a campaign runs depend on --time/m,
    ],
    [
      [],
      { CI_NODE_INDEX: "1", CI_NODE_TOTAL: "2" },
      /^fuzz: shard 1\/2 \(from CI_NODE_INDEX\/CI_NODE_TOTAL\) needs --max-cases N/m,
    ],
    [["--max-cases", "9", "--shard", "1/3", "--no-record"], {}, /^fuzz: --shard writes the/m],
    [["--shard", "3/2"], {}, /^fuzz: --shard 3\/2: K is more than N/m],
  ];
  for (const [args, env, message] of cases) {
    const ran = await runCommandFile("fuzz.ts", ["--version", "testing/reference", ...args], env);
    assertRefused(ran, 1, message);
    assert.equal(ran.stdout, "", "nothing ran");
  }
});

Deno.test("fuzz --shard: three shards visit the unsharded campaign's cases, each once", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "fuzz-shard-" });
  const shards = join(root, "shards");
  const merged = join(root, "merged");
  try {
    const [whole, single, three] = await Promise.all([
      runCommandFile("fuzz.ts", [...CLEAN, "--records", join(root, "whole")]),
      runCommandFile("fuzz.ts", [...CLEAN, "--records", join(root, "single"), "--shard", "1/1"]),
      threeShards(CLEAN, shards, join(root, "cases")),
    ]);
    for (const ran of [whole, single, ...three]) assert.equal(ran.code, 0, ran.stderr);
    assert.match(whole.stdout, /fuzz: no failure; 12 cases in /);
    assert.match(three[0].stdout, /shard 1\/3 \(from --shard\): 4 of 12 cases, seeds 1, 4, …/);
    assert.match(three[1].stdout, /shard 2\/3 \(from MAPLE_SHARD\): 4 of 12 cases, seeds 2, 5/);
    assert.match(three[2].stdout, /shard 3\/3 \(from JOB_COMPLETION_INDEX\/MAPLE_SHARD_COUNT\)/);
    const pieces = await files(shards);
    assert.deepEqual(pieces.map((p) => p.run.shard?.index), [1, 2, 3]);
    assert.equal(new Set(pieces.map((p) => p.run.shard?.plan)).size, 1, "one plan");
    const [unsharded] = await files(join(root, "single"));
    assert.deepEqual(unsharded.run.seeds, Array.from({ length: 12 }, (_, i) => 1 + i));

    const ran = await runCommandFile("merge.ts", [shards, "--records", merged]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /^fuzz: no failure; 12 cases \(seeds 1\.\.12\)/m);
    assert.match(ran.stdout, /merged 3 shards of fuzz plan [0-9a-f]{12}: 12 cases, 1 machine/);
    const [result] = await files(merged);
    assert.deepEqual(result.run.seeds, unsharded.run.seeds, "the unsharded campaign's cases");
    assert.equal(result.run.cases, 12);
    assert.equal(result.run.found, undefined);
    assert.equal(result.run.shard, undefined);
    assert.deepEqual(result.run.merged?.shards.map((s) => s.units), [4, 4, 4]);

    await t.step("a missing shard is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [pieces[0].path, pieces[1].path]);
      assertRefused(ran, 2, /^merge: shard 3\/3 missing \(given: 1\/3, 2\/3\)$/m);
    });

    await t.step("a doubled shard is refused in one line", async () => {
      const twice = join(root, "twice.json");
      await Deno.writeTextFile(twice, JSON.stringify({ ...pieces[0].run, id: "fuzz-again" }));
      const ran = await runCommandFile("merge.ts", [shards, twice, "--no-record"]);
      assertRefused(ran, 2, /^merge: shard 1\/3 given twice: .* and .*twice\.json/m);
    });

    await t.step("a shard of another campaign is refused in one line", async () => {
      const foreign = join(root, "foreign");
      const other = await runCommandFile("fuzz.ts", [
        ...CLEAN,
        "--seed",
        "2",
        "--records",
        foreign,
        "--shard",
        "2/3",
      ]);
      assert.equal(other.code, 0, other.stderr);
      const [shard] = await files(foreign);
      const ran = await runCommandFile("merge.ts", [pieces[0].path, shard.path, pieces[2].path]);
      assertRefused(
        ran,
        2,
        /^merge: .*foreign.*belongs to another plan \([0-9a-f]{12}, the other 2/m,
      );
    });

    await t.step("a shard that ran out of --time is refused in one line", async () => {
      const late = join(root, "late");
      const cut = await runCommandFile("fuzz.ts", [
        ...CLEAN,
        "--time",
        "1ms",
        "--records",
        late,
        "--shard",
        "2/3",
      ]);
      assert.equal(cut.code, 0, cut.stderr);
      assert.match(cut.stdout, /shard 2\/3 ran out of --time after [0-3] of 4 cases/);
      const [shard] = await files(late);
      const ran = await runCommandFile("merge.ts", [pieces[0].path, shard.path, pieces[2].path]);
      assertRefused(
        ran,
        2,
        /^merge: shard 2\/3 \(.*\) ran out of --time after [0-3] cases, before its/m,
      );
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fuzz --shard: the merged campaign's first failing case is the unsharded campaign's", async () => {
  const root = await Deno.makeTempDir({ prefix: "fuzz-shard-found-" });
  const shards = join(root, "shards");
  try {
    const [whole, three] = await Promise.all([
      runCommandFile("fuzz.ts", [...BUGGY, "--records", join(root, "whole"), "--out", root]),
      threeShards(BUGGY, shards, join(root, "cases")),
    ]);
    assert.equal(whole.code, 2, whole.stderr);
    assert.match(whole.stdout, /^fuzz: case seed 64 /m);
    // Seed 64 is case 24 of the campaign: shard 1's, which stops there; the others run on.
    assert.deepEqual(three.map((r) => r.code), [2, 0, 0], three.map((r) => r.stderr).join("\n"));
    assert.match(three[0].stdout, /^fuzz: case seed 64 /m);
    const pieces = await files(shards);
    assert.deepEqual(pieces.map((p) => p.run.found?.seed), [64, undefined, undefined]);

    const ran = await runCommandFile("merge.ts", [shards, "--records", join(root, "merged")]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /^fuzz: first failing case seed 64: crash fillNode \(split\.ts\)/m);
    const [result] = await files(join(root, "merged"));
    assert.equal(result.run.found?.seed, 64);
    // Every case before the first failure ran, as in the unsharded campaign.
    for (let seed = 40; seed <= 64; seed++) assert.ok(result.run.seeds.includes(seed), `${seed}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
