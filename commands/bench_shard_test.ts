import assert from "node:assert/strict";
import { join } from "node:path";
import { buildGitHistory } from "../testing/git_history.ts";
import type { BenchRecord } from "../results/record.ts";
import { loadRecords } from "../results/store.ts";
import { validateRecord } from "../results/validate.ts";
import { assertRefused, runCommandFile } from "./test_support.ts";

// Three tiny versions and one small case: three sample sets of about half a second each.
const VERSIONS = [
  "testing/reference",
  "bisect/fixtures/versions/good-a",
  "bisect/fixtures/versions/good-b",
];
const PLAN = ["--quick", "--versions", VERSIONS.join(","), "--cases", "core/dup-30"];

async function records(dir: string): Promise<{ path: string; record: BenchRecord }[]> {
  const out: { path: string; record: BenchRecord }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const path = join(dir, entry.name);
    const value: unknown = JSON.parse(await Deno.readTextFile(path));
    const validation = validateRecord(value);
    assert.ok(validation.ok, `${entry.name}: ${JSON.stringify(validation)}`);
    out.push({ path, record: value as BenchRecord });
  }
  return out.sort((a, b) => (a.record.body.shard?.index ?? 0) - (b.record.body.shard?.index ?? 0));
}

/** The record's units of a sharded bench: a case on a version. */
const cells = (record: BenchRecord) => record.samples.map((s) => `${s.version} ${s.benchmark}`);

Deno.test("bench --shard: bad shards get one line and exit 2, before anything is measured", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--shard", "4/3"], {}, /^bench: --shard 4\/3: K is more than N \(4 > 3\)$/m],
    [["--shard", "1-3"], {}, /^bench: --shard wants K\/N, two whole numbers like 2\/3/m],
    [[], { CI_NODE_INDEX: "2" }, /^bench: CI_NODE_INDEX=2 is set but CI_NODE_TOTAL is not/m],
    [
      ["--metric", "instructions"],
      { MAPLE_SHARD: "2/3" },
      /^bench: shard 2\/3 \(from MAPLE_SHARD\) splits --metric time only/m,
    ],
  ];
  for (const [args, env, message] of cases) {
    const ran = await runCommandFile("bench.ts", [...PLAN, ...args], env);
    assertRefused(ran, 2, message);
    assert.equal(ran.stdout, "", "nothing ran");
  }
});

Deno.test("bench --shard: three shard processes merge into the unsharded run's sample sets", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "bench-shard-" });
  const whole = join(root, "whole");
  const shards = join(root, "shards");
  const merged = join(root, "merged");
  const foreign = join(root, "foreign");
  try {
    // The shards name themselves three ways: the flag, MAPLE_SHARD and GitLab's pair.
    const [unsharded, one, two, three, other] = await Promise.all([
      runCommandFile("bench.ts", [...PLAN, "--out", whole]),
      runCommandFile("bench.ts", [...PLAN, "--out", shards, "--shard", "1/3"]),
      runCommandFile("bench.ts", [...PLAN, "--out", shards], { MAPLE_SHARD: "2/3" }),
      runCommandFile("bench.ts", [...PLAN, "--out", shards], {
        CI_NODE_INDEX: "3",
        CI_NODE_TOTAL: "3",
      }),
      // Another plan: two of the versions.
      runCommandFile("bench.ts", [
        ...PLAN.slice(0, 2),
        VERSIONS.slice(0, 2).join(","),
        ...PLAN.slice(3),
        "--out",
        foreign,
        "--shard",
        "2/3",
      ]),
    ]);
    for (const ran of [unsharded, one, two, three, other]) {
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    }
    assert.match(one.stdout, /shard 1\/3: 1 of 3 sample sets/);
    assert.match(two.stdout, /shard 2\/3 \(from MAPLE_SHARD\) of plan [0-9a-f]{12}: 1 of 3/);
    assert.match(three.stdout, /shard 3\/3 \(from CI_NODE_INDEX\/CI_NODE_TOTAL\) of plan/);
    assert.match(one.stdout, /when all 3 are done: deno task merge \S+/);

    const [reference] = await records(whole);
    assert.equal(reference.record.body.shard, undefined);
    const pieces = await records(shards);
    assert.deepEqual(pieces.map((p) => p.record.body.shard?.index), [1, 2, 3]);
    assert.equal(new Set(pieces.map((p) => p.record.body.shard?.plan)).size, 1, "one plan");
    for (const p of pieces) {
      // Each shard's record names the whole plan, and holds its own cell only.
      assert.deepEqual(p.record.versions.map((v) => v.name), VERSIONS);
      assert.equal(p.record.samples.length, 1);
      assert.equal(p.record.parameters.shard, `${p.record.body.shard!.index}/3`);
    }
    const [foreignShard] = await records(foreign);
    assert.notEqual(foreignShard.record.body.shard?.plan, pieces[0].record.body.shard?.plan);
    // Together the shards measured the unsharded run's cells, each once.
    const measured = pieces.flatMap((p) => cells(p.record));
    assert.deepEqual([...measured].sort(), [...cells(reference.record)].sort());
    assert.equal(new Set(measured).size, measured.length);

    const ran = await runCommandFile("merge.ts", [shards, "--records", merged]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(
      ran.stdout,
      /merged 3 shards of bench plan [0-9a-f]{12}: 3 sample sets, 1 machine/,
    );
    const [result] = await records(merged);
    assert.match(ran.stdout, new RegExp(`record: .*${result.record.id}\\.json`));
    assert.deepEqual(cells(result.record), cells(reference.record), "in plan order");
    assert.deepEqual(
      result.record.body.units!.map((u) => `${u.round} ${u.version}`),
      reference.record.body.units!.map((u) => `${u.round} ${u.version}`),
    );
    assert.deepEqual(result.record.body.units!.map((u) => u.shard), [1, 2, 3]);
    assert.equal(result.record.body.shard, undefined);
    assert.deepEqual(result.record.body.merged?.shards.map((s) => s.units), [1, 1, 1]);
    // One machine: the sets are like an unsharded run's, with no machine of their own.
    assert.ok(result.record.samples.every((s) => s.machine === undefined));
    assert.deepEqual(result.record.verdicts, []);

    await t.step("compare reads the merged record like any other", async () => {
      const compared = await runCommandFile("compare.ts", [
        "--threshold",
        "1000",
        reference.path,
        join(merged, `${result.record.id}.json`),
      ]);
      assert.equal(compared.code, 0, compared.stderr + compared.stdout);
      assert.equal((compared.stdout.match(/ core\/dup-30 \[/g) ?? []).length, 3);
      assert.doesNotMatch(compared.stdout, /different machines/);
    });

    await t.step(
      "shards of two machines: each set keeps its machine, compare pairs none",
      async () => {
        const two = join(root, "two-machines");
        await Deno.mkdir(two);
        for (const p of pieces) {
          const r = p.record;
          const shard = r.body.shard!;
          const machine = shard.index === 2 ? "elsewhere EPYC x2" : shard.machine;
          await Deno.writeTextFile(
            join(two, `${r.id}.json`),
            JSON.stringify({ ...r, body: { ...r.body, shard: { ...shard, machine } } }),
          );
        }
        const out = join(two, "merged");
        const ran = await runCommandFile("merge.ts", [two, "--records", out]);
        assert.equal(ran.code, 0, ran.stderr + ran.stdout);
        assert.match(ran.stdout, /: 3 sample sets, 2 machine\(s\)/);
        assert.match(ran.stdout, /good-a core\/dup-30 +\S+ ns\/op {2}\(elsewhere EPYC x2\)$/m);
        assert.match(ran.stdout, /note: performance figures come from 2 machines/);
        const compared = await runCommandFile("compare.ts", [
          "--dir",
          out,
          VERSIONS[0],
          VERSIONS[1],
        ]);
        assert.equal(compared.code, 0, compared.stderr + compared.stdout);
        assert.match(compared.stdout, /^# .* n\/a +core\/dup-30$/m);
        assert.match(compared.stdout, /^# from different machines: not compared/m);
        assert.match(compared.stdout, /after on elsewhere EPYC x2$/m);
      },
    );

    await t.step("a missing shard is refused in one line", async () => {
      const ran = await runCommandFile("merge.ts", [pieces[0].path, pieces[2].path]);
      assertRefused(ran, 2, /^merge: shard 2\/3 missing \(given: 1\/3, 3\/3\)$/m);
    });

    await t.step("a doubled shard is refused in one line", async () => {
      const twice = join(root, "twice.json");
      const copy = pieces[1].record;
      await Deno.writeTextFile(
        twice,
        JSON.stringify({ ...copy, id: copy.id.replace(/[0-9a-f]{12}$/, "0123456789ab") }),
      );
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

    await t.step("an unsharded bench record is no shard", async () => {
      const ran = await runCommandFile("merge.ts", [reference.path]);
      assertRefused(
        ran,
        2,
        /^merge: .* is not a shard record: merge takes the records of runs with/m,
      );
    });

    await t.step("merged beside its shards, the shards are not counted twice", async () => {
      const again = await runCommandFile("merge.ts", [shards, "--records", shards]);
      assert.equal(again.code, 0, again.stderr);
      const loaded = await loadRecords(shards, () => {});
      assert.equal(loaded.records.length, 1, "the merged record alone");
      assert.ok(loaded.records[0].record.body.merged);
      assert.equal(loaded.covered?.length, 3);
      const history = await runCommandFile("history.ts", ["--dir", shards]);
      assert.equal(history.code, 0, history.stderr);
      for (const v of VERSIONS) {
        const row = history.stdout.split("\n").find((l) => l.trim().startsWith(`${v} `));
        assert.ok(row, history.stdout);
        assert.equal(row.trim().split(/\s{2,}/).length, 2, `one figure on ${v}: ${row}`);
      }
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bench --git --shard: each shard measures its block of commits, whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-git-shard-" });
  try {
    const { repo, commits } = await buildGitHistory(join(dir, "repo"), ["harmless", "harmless"]);
    const env = { MAPLE_CACHE_DIR: join(dir, "cache") };
    const args = (out: string, shard: string) => [
      "--git",
      `${commits[0].short}..${commits.at(-1)!.short}`,
      "--repo",
      repo,
      "--quick",
      "--cases",
      "core/dup-30",
      "--out",
      out,
      "--shard",
      shard,
    ];
    const [one, two] = await Promise.all([
      runCommandFile("bench.ts", args(join(dir, "a"), "1/2"), env),
      runCommandFile("bench.ts", args(join(dir, "b"), "2/2"), env),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.match(one.stdout, /3 commit\(s\), 1 picked for shard 1\/2 \(commits 1\.\.1 of 3\)/);
    assert.match(two.stdout, /3 commit\(s\), 2 picked for shard 2\/2 \(commits 2\.\.3 of 3\)/);
    const a = await records(join(dir, "a"));
    const b = await records(join(dir, "b"));
    const commitOf = (r: { record: BenchRecord }) => r.record.versions[0].commit!;
    const shas = [...a, ...b].map(commitOf).sort((x, y) => x.position - y.position)
      .map((c) => c.sha);
    assert.deepEqual(a.map((r) => commitOf(r).sha), [commits[0].sha], "shard 1: the first");
    assert.deepEqual(shas, commits.map((c) => c.sha), "every commit once, in order");
    const plans = new Set([...a, ...b].map((r) => r.record.parameters.plan));
    assert.equal(plans.size, 1, "every commit's record names the whole range's plan");
    for (const r of [...a, ...b]) {
      assert.equal(r.record.body.shard, undefined, "a commit's record is whole");
      assert.equal(r.record.samples.length, 1);
      assert.equal(r.record.samples[0].error, undefined, r.record.samples[0].error);
      assert.ok(r.record.samples[0].values.length > 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
