import assert from "node:assert/strict";
import { join } from "node:path";
import { buildHistory } from "./history.ts";
import {
  BISECT_EXHAUSTIVE,
  checkShards,
  mergeSampleSets,
  mergeShards,
  readShards,
  type ShardRecord,
} from "./merge.ts";
import {
  type BisectRecord,
  buildRecord,
  type ProbeEntry,
  type SampleSet,
  type ShardInfo,
} from "./record.ts";
import { sidesFromRecords } from "./select.ts";
import { loadRecords } from "./store.ts";
import { validateRecord } from "./validate.ts";

const PLAN = `sha256:${"a".repeat(64)}`;
const OTHER_PLAN = `sha256:${"b".repeat(64)}`;
const VERSIONS = ["v1", "v2", "v3"];
const MATRIX = [
  { stressor: "fork", layout: "glibc", seed: 1, ops: 5, verify: true },
  { stressor: "fork", layout: "cat-self", seed: 1, ops: 5, verify: true },
];

/** The outcome the fixture plan gives a cell: v2 crashes on cat-self. */
const outcome = (version: string, layout: string) =>
  version === "v2" && layout === "cat-self" ? "crash" : "pass";

/** Shard `index` of `count` of the fixture plan, as `bisect --exhaustive --shard` writes it. */
function shardRecord(
  index: number,
  count: number,
  options: {
    plan?: string;
    machine?: string;
    samples?: SampleSet[];
    interrupted?: boolean;
  } = {},
): BisectRecord {
  const probes: ProbeEntry[] = [];
  VERSIONS.forEach((version, v) =>
    MATRIX.forEach((p, c) => {
      if ((v + c) % count !== index - 1) return;
      probes.push({ version, ...p, outcome: outcome(version, p.layout), wallMs: 10 });
    })
  );
  const shard: ShardInfo = {
    index,
    count,
    plan: options.plan ?? PLAN,
    units: probes.length,
    planUnits: VERSIONS.length * MATRIX.length,
    machine: options.machine ?? "ci-1 EPYC x2",
    source: "--shard",
  };
  return buildRecord({
    kind: "bisect",
    startedAt: new Date(Date.UTC(2026, 11, 6, 10, index)),
    endedAt: new Date(Date.UTC(2026, 11, 6, 10, index, 30)),
    versions: VERSIONS.map((name) => ({ name, hash: null })),
    parameters: {
      mode: "exhaustive",
      crashMatrix: MATRIX,
      wallMs: 1000 * index,
      probesRun: probes.length,
      shard: `${index}/${count}`,
    },
    seeds: [1],
    samples: options.samples ?? [],
    verdicts: [],
    body: {
      mode: "exhaustive",
      probes,
      shard,
      ...(options.interrupted
        ? { interrupted: { signal: "SIGINT", mode: "exhaustive", probesKept: 1 } }
        : {}),
    },
  });
}

function asShard(record: BisectRecord, path = `${record.id}.json`): ShardRecord<BisectRecord> {
  const shard = BISECT_EXHAUSTIVE.accept(JSON.parse(JSON.stringify(record)), path);
  assert.ok(shard, "a shard record is accepted");
  return shard;
}

const three = () => [1, 2, 3].map((k) => asShard(shardRecord(k, 3), `s${k}.json`));

function refused(shards: ShardRecord<BisectRecord>[], message: RegExp): void {
  assert.throws(() => checkShards(shards, BISECT_EXHAUSTIVE), (e: Error) => {
    assert.equal(e.name, "UsageError");
    assert.match(e.message, message);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("merge: three shards give one valid record with every cell, in plan order", () => {
  const { record, info } = mergeShards(three(), BISECT_EXHAUSTIVE);
  const validation = validateRecord(JSON.parse(JSON.stringify(record)));
  assert.ok(validation.ok, JSON.stringify(validation));
  assert.equal(record.kind, "bisect");
  assert.equal(record.body.shard, undefined);
  assert.equal(record.parameters.shard, undefined);
  assert.equal(record.parameters.shards, 3);
  assert.equal(record.parameters.probesRun, 6);
  assert.equal(record.parameters.wallMs, 3000, "the slowest shard");
  assert.equal(record.startedAt, "2026-12-06T10:01:00.000Z");
  assert.equal(record.endedAt, "2026-12-06T10:03:30.000Z");
  assert.deepEqual(
    record.body.probes.map((p) => `${p.version} ${p.layout} ${p.outcome} ${p.shard}`),
    [
      "v1 glibc pass 1",
      "v1 cat-self pass 2",
      "v2 glibc pass 2",
      "v2 cat-self crash 3",
      "v3 glibc pass 3",
      "v3 cat-self pass 1",
    ],
  );
  assert.equal(info.count, 3);
  assert.deepEqual(info.machines, ["ci-1 EPYC x2"]);
  assert.deepEqual(record.body.merged?.shards.map((s) => s.units), [2, 2, 2]);
  assert.deepEqual(record.verdicts, []);
});

Deno.test("merge: a missing, doubled, foreign, mixed-N or unfinished shard is refused in one line", () => {
  const [a, b, c] = three();
  refused([a, c], /^shard 2\/3 missing \(given: 1\/3, 3\/3\)$/);
  refused([a], /^shards 2\/3, 3\/3 missing/);
  const again = asShard(shardRecord(2, 3), "again.json");
  refused([a, b, again, c], /^shard 2\/3 given twice: s2\.json and again\.json/);
  // The same record reached twice (a folder and a file, a copied artifact) is one shard.
  assert.equal(
    checkShards([a, b, { ...b, path: "copy.json" }, c], BISECT_EXHAUSTIVE).shards.length,
    3,
  );
  const foreign = asShard(shardRecord(2, 3, { plan: OTHER_PLAN }), "foreign.json");
  refused(
    [a, foreign, c],
    /^foreign\.json belongs to another plan \(bbbbbbbbbbbb, the other 2 shard\(s\) aaaaaaaaaaaa\)/,
  );
  refused([a, asShard(shardRecord(2, 2, { plan: OTHER_PLAN }), "x.json")], /belong to 2 plans/);
  refused(
    [a, asShard(shardRecord(2, 4), "four.json"), c],
    /^s1\.json is shard 1\/3 but four\.json is shard 2\/4: the shards of one merge come from one split into N$/,
  );
  refused(
    [a, asShard(shardRecord(2, 3, { interrupted: true }), "cut.json"), c],
    /^shard 2\/3 \(cut\.json\) was interrupted by SIGINT after 1 probes: resume it \(deno task bisect … --resume cut\.json\) and merge again$/,
  );
  refused([], /^no shard records to merge$/);
  // Resumed and finished, a shard's interrupted record is superseded, not a second shard.
  const cut = asShard(shardRecord(2, 3, { interrupted: true }), "cut.json");
  assert.deepEqual(checkShards([a, cut, b, c], BISECT_EXHAUSTIVE).shards.map((s) => s.path), [
    "s1.json",
    "s2.json",
    "s3.json",
  ]);
});

Deno.test("merge: a cell held twice or by no shard is refused, naming it", () => {
  const [a, b, c] = three();
  const extra = structuredClone(c.record);
  const stolen = structuredClone(a.record.body.probes[0]);
  refused(
    [a, b, {
      ...c,
      record: { ...extra, body: { ...extra.body, probes: [...extra.body.probes, stolen] } },
    }],
    /^v1 × fork glibc seed 1 is in shard 1\/3 and in shard 3\/3: the shards were not split alike$/,
  );
  refused(
    [a, b, {
      ...c,
      record: { ...extra, body: { ...extra.body, probes: extra.body.probes.slice(1) } },
    }],
    /^v2 × fork cat-self seed 1 is in no shard \(1 of 6 units missing\)$/,
  );
  const alien = { ...stolen, version: "v9" };
  refused(
    [a, b, {
      ...c,
      record: { ...extra, body: { ...extra.body, probes: [...extra.body.probes, alien] } },
    }],
    /^shard 3\/3 \(s3\.json\) holds v9 × fork glibc seed 1, which is not in the plan$/,
  );
});

const SET = { benchmark: "bisect/mmap@glibc", unit: "ops/cpu-s", better: "higher" as const };

Deno.test("merge: samples of one machine join; of several machines stay apart and say so", () => {
  const one = mergeShards(
    [1, 2].map((k) =>
      asShard(shardRecord(k, 2, { samples: [{ ...SET, version: "v1", values: [k, k + 10] }] }))
    ),
    BISECT_EXHAUSTIVE,
  ).record;
  assert.deepEqual(one.samples, [{ ...SET, version: "v1", values: [1, 11, 2, 12] }]);
  assert.deepEqual(one.verdicts, []);

  const machines = ["ci-1 EPYC x2", "ci-2 Xeon x4"];
  const two = mergeShards(
    [1, 2].map((k) =>
      asShard(
        shardRecord(k, 2, {
          machine: machines[k - 1],
          samples: [{ ...SET, version: `v${k}`, values: [100 * k] }],
        }),
      )
    ),
    BISECT_EXHAUSTIVE,
  ).record;
  assert.deepEqual(two.samples.map((s) => [s.version, s.machine]), [
    ["v1", "ci-1 EPYC x2"],
    ["v2", "ci-2 Xeon x4"],
  ]);
  assert.ok(validateRecord(JSON.parse(JSON.stringify(two))).ok);
  const [verdict] = two.verdicts;
  assert.equal(verdict.verdict, "mixed-machines");
  assert.match(verdict.summary, /from 2 machines/);
  assert.ok(two.body.merged?.notes.some((n) => n.includes("2 machines")));
  assert.deepEqual(
    mergeSampleSets([{ machine: "m", samples: [] }, { machine: "n", samples: [] }]).machines,
    [],
  );
});

Deno.test("merge: the merged record is read like any other (store, history, compare)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "merge-test-" });
  try {
    const shards = [1, 2].map((k) =>
      asShard(
        shardRecord(k, 2, { samples: [{ ...SET, version: "v1", values: [k, k + 1, k + 2] }] }),
      )
    );
    const { record } = mergeShards(shards, BISECT_EXHAUSTIVE);
    const path = await BISECT_EXHAUSTIVE.save(record, dir);
    const { records, skipped } = await loadRecords(dir);
    assert.deepEqual(skipped, []);
    assert.equal(records[0].path, path);
    const history = buildHistory(records.map((r) => r.record));
    assert.deepEqual(history.map((h) => h.benchmark), ["bisect/mmap@glibc"]);
    assert.deepEqual(history[0].runs.v1[0].values, [1, 2, 3, 2, 3, 4]);
    const sides = sidesFromRecords(shards[0].record, records[0].record);
    assert.match(sides.description, /versions v1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge: reading a folder takes its shards and leaves other records alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "merge-read-" });
  try {
    for (const k of [1, 2, 3]) {
      const r = shardRecord(k, 3);
      await Deno.writeTextFile(join(dir, `${r.id}.json`), JSON.stringify(r));
    }
    const other = { ...shardRecord(1, 1), body: { mode: "exhaustive", probes: [] } };
    await Deno.writeTextFile(join(dir, "other.json"), JSON.stringify(other));
    await Deno.writeTextFile(join(dir, "mutate-x.json"), JSON.stringify({ kind: "mutate" }));
    await Deno.writeTextFile(join(dir, "torn.json"), "{");
    const warnings: string[] = [];
    const read = await readShards([dir], [BISECT_EXHAUSTIVE], { warn: (m) => warnings.push(m) });
    assert.equal(read.shards.length, 3);
    assert.equal(read.ignored.length, 3);
    assert.match(warnings[0], /torn\.json is not a JSON record/);
    await assert.rejects(
      () => readShards([join(dir, "other.json")], [BISECT_EXHAUSTIVE]),
      /other\.json is not a shard record: merge takes the records of runs with --shard K\/N/,
    );
    await assert.rejects(
      () => readShards([dir], [BISECT_EXHAUSTIVE], { plan: "bbbb" }),
      /no shard records of plan bbbb in/,
    );
    const picked = await readShards([dir], [BISECT_EXHAUSTIVE], { plan: "sha256:aaaa" });
    assert.equal(picked.shards.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
