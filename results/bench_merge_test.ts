import assert from "node:assert/strict";
import { BENCH_SHARDS } from "./bench_merge.ts";
import { compareSamples, formatComparison } from "./compare.ts";
import { checkShards, mergeShards, type ShardRecord } from "./merge.ts";
import { type BenchRecord, buildRecord, type SampleSet, type ShardInfo } from "./record.ts";
import { sidesFromVersions } from "./select.ts";
import { validateRecord } from "./validate.ts";

const PLAN = `sha256:${"c".repeat(64)}`;
const VERSIONS = ["v1", "v2", "v3"];
const CASES = ["core/a", "core/b"];

/** A figure that tells its cell apart: v2 is twice as slow as v1 on every case. */
const figure = (version: string) => version === "v2" ? 200 : 100;

/**
 * Shard `index` of `count`, cells dealt round-robin in plan order, as `bench --shard` deals a
 * grid of fewer cases than shards (the rule itself is `bench/shard.ts`'s, tested there).
 */
function shardRecord(
  index: number,
  count: number,
  options: { machine?: string; plan?: string; interrupted?: boolean; values?: number } = {},
): BenchRecord {
  const samples: SampleSet[] = [];
  VERSIONS.forEach((version, v) =>
    CASES.forEach((benchmark, c) => {
      if ((v * CASES.length + c) % count !== index - 1) return;
      const values = Array.from({ length: options.values ?? 8 }, (_, i) => figure(version) + i);
      samples.push({ benchmark, version, unit: "ns/op", better: "lower", values });
    })
  );
  const shard: ShardInfo = {
    index,
    count,
    plan: options.plan ?? PLAN,
    units: samples.length,
    planUnits: VERSIONS.length * CASES.length,
    machine: options.machine ?? "ci-1 EPYC x2",
    source: "--shard",
  };
  return buildRecord({
    kind: "bench",
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    versions: VERSIONS.map((name) => ({ name, hash: null })),
    parameters: { quick: true, cases: CASES, rounds: 1, shard: `${index}/${count}` },
    seeds: [1],
    samples,
    verdicts: [],
    body: {
      harness: "mitata@1.0.34",
      quick: true,
      cases: CASES.map((name) => ({ name, group: "core", unit: "ns/op" })),
      units: VERSIONS.filter((_, v) => samples.some((s) => s.version === VERSIONS[v]))
        .map((version) => ({ version, round: 1, finishedAt: "2026-01-01T00:00:09.000Z" })),
      shard,
      ...(options.interrupted ? { interrupted: { signal: "SIGINT", unitsKept: 1 } } : {}),
    },
  });
}

function accepted(record: BenchRecord, path = `${record.id}.json`): ShardRecord<BenchRecord> {
  const shard = BENCH_SHARDS.accept(JSON.parse(JSON.stringify(record)), path);
  assert.ok(shard, "a bench shard record");
  return shard;
}

const cellsOf = (r: BenchRecord) => r.samples.map((s) => `${s.version} ${s.benchmark}`);

Deno.test("bench merge: shards of one machine give the unsharded run's sets, in plan order", () => {
  const shards = [3, 1, 2].map((k) => accepted(shardRecord(k, 3)));
  const { record, info } = mergeShards(shards, BENCH_SHARDS);
  assert.ok(validateRecord(record).ok, JSON.stringify(validateRecord(record)));
  assert.deepEqual(cellsOf(record), VERSIONS.flatMap((v) => CASES.map((c) => `${v} ${c}`)));
  assert.ok(record.samples.every((s) => s.machine === undefined));
  assert.equal(record.body.shard, undefined);
  assert.equal(record.parameters.shard, undefined);
  assert.equal(record.parameters.shards, 3);
  assert.equal(record.body.merged?.plan, PLAN);
  assert.deepEqual(info.machines, ["ci-1 EPYC x2"]);
  assert.deepEqual(record.verdicts, []);
  // Round by round, version by version: each shard ran a child for every version it had cells of.
  assert.deepEqual(
    record.body.units?.map((u) => `${u.version} ${u.shard}`),
    ["v1 1", "v1 2", "v2 1", "v2 3", "v3 2", "v3 3"],
  );
});

Deno.test("bench merge: a missing, doubled, foreign or unfinished shard is refused in one line", () => {
  const [one, two, three] = [1, 2, 3].map((k) => accepted(shardRecord(k, 3)));
  const refused: [ShardRecord<BenchRecord>[], RegExp][] = [
    [[one, three], /^shard 2\/3 missing \(given: 1\/3, 3\/3\)$/],
    [[one, two, accepted(shardRecord(2, 3), "again.json"), three], /^shard 2\/3 given twice: /],
    [
      [one, accepted(shardRecord(2, 3, { plan: `sha256:${"d".repeat(64)}` }), "x.json"), three],
      /^x\.json belongs to another plan \(dddddddddddd, the other 2 shard\(s\) cccccccccccc\)/,
    ],
    [
      [one, accepted(shardRecord(2, 3, { interrupted: true }), "cut.json"), three],
      /^shard 2\/3 \(cut\.json\) was interrupted by SIGINT after 1 of its units: resume it/,
    ],
  ];
  for (const [given, message] of refused) {
    assert.throws(() => checkShards(given, BENCH_SHARDS), (e: Error) => {
      assert.equal(e.name, "UsageError");
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  }
  // A shard record holding a cell of another shard's.
  const greedy = shardRecord(1, 3);
  const stolen = { ...greedy, samples: [...greedy.samples, ...shardRecord(2, 3).samples] };
  assert.throws(
    () => checkShards([accepted(stolen), two, three], BENCH_SHARDS),
    (e: Error) =>
      /^core\/b on v1 is in shard 1\/3 and in shard 2\/3: the shards were not split alike$/
        .test(e.message),
  );
});

Deno.test("bench merge: shards of several machines keep each set's machine, and compare never pairs them", () => {
  const shards = [1, 2, 3].map((k) =>
    accepted(shardRecord(k, 3, { machine: `host-${k} EPYC x2` }))
  );
  const { record } = mergeShards(shards, BENCH_SHARDS);
  assert.ok(validateRecord(record).ok);
  assert.deepEqual(
    record.samples.map((s) => s.machine),
    ["host-1", "host-2", "host-3", "host-1", "host-2", "host-3"].map((h) => `${h} EPYC x2`),
  );
  assert.equal(record.verdicts.at(-1)?.verdict, "mixed-machines");
  assert.match(record.body.merged!.notes.join("\n"), /performance figures come from 3 machines/);

  // v1 → v2: core/a ran on host-1 and host-3, core/b on host-2 and host-1: no pair compared,
  // though v2 is twice as slow.
  const sides = sidesFromVersions("v1", "v2", [record]);
  const rows = compareSamples(sides.before.sets, sides.after.sets, { key: sides.key });
  assert.deepEqual(rows.map((r) => [r.label, r.change]), [
    ["core/a", "other-machines"],
    ["core/b", "other-machines"],
  ]);
  assert.ok(rows.every((r) => Number.isNaN(r.ratio)));
  const text = formatComparison(rows, { before: "v1", after: "v2" });
  assert.match(text, /^# +\d+ ns\/op ±\d+% +\d+ ns\/op ±\d+% +n\/a +core\/a$/m);
  assert.match(text, /^# from different machines: not compared/m);
  assert.match(text, /^ {2}1 benchmark\(s\) before on host-1 EPYC x2, after on host-3 EPYC x2$/m);
});
