import assert from "node:assert/strict";
import { join } from "node:path";
import { checkShards, mergeShards, readShards, type ShardRecord } from "../../results/merge.ts";
import { MUTATE_SHARDS } from "./merge.ts";
import { formatSummary, type MutationRecord } from "./report.ts";
import type { MutantResult, MutantStatus } from "./run.ts";

const PROBE = { stressor: "fork", layout: "cat-self", seed: 1, ops: 2, verify: true } as const;
const PLANNED = ["m0000", "m0001", "m0002", "m0003", "m0004"];
const STATUS: Record<string, MutantStatus> = {
  m0000: "killed",
  m0001: "survived",
  m0002: "equivalent",
  m0003: "killed",
  m0004: "skipped",
};

function mutant(id: string): MutantResult {
  const site = {
    file: "write.ts",
    kind: "constant",
    start: 0,
    end: 1,
    original: "0",
    replacement: "1",
    line: 19,
    column: 10,
  } as const;
  return { id, site, status: STATUS[id] ?? "killed", diff: `diff of ${id}`, probes: 1, wallMs: 10 };
}

/** Shard `k` of 3 as `mutate --shard k/3` writes it; `change` alters its report. */
function shard(
  k: number,
  change: Partial<MutationRecord["report"]> = {},
  plan = "sha256:aaaa",
): MutationRecord {
  const mutants = PLANNED.filter((_, i) => i % 3 === k - 1).map(mutant);
  const counts = { killed: 0, survived: 0, equivalent: 0, timeout: 0, skipped: 0 };
  for (const m of mutants) counts[m.status]++;
  return {
    kind: "mutate",
    id: `mutate-2026120${k}T000000000Z-00000000000${k}`,
    startedAt: `2026-12-06T10:0${k}:00.000Z`,
    endedAt: `2026-12-06T10:1${k}:00.000Z`,
    args: ["--version", "head", "--shard", `${k}/3`, "--max", "5"],
    report: {
      version: "head",
      files: ["write.ts"],
      kinds: ["constant"],
      sites: 9,
      seed: 1,
      matrix: [PROBE],
      excluded: [],
      limits: { timeMs: 5000, memoryMb: 256 },
      baselineMs: 100 * k,
      mutants,
      counts,
      score: null,
      wallMs: 1000 * k,
      planned: PLANNED,
      ...change,
    },
    shard: {
      index: k,
      count: 3,
      plan,
      units: mutants.length,
      planUnits: PLANNED.length,
      machine: "ci EPYC x2",
      source: "--shard",
      suiteCommit: "abc",
    },
  };
}

function accepted(record: MutationRecord, path = `${record.id}.json`) {
  const got = MUTATE_SHARDS.accept(JSON.parse(JSON.stringify(record)), path);
  assert.ok(got, "accepted");
  return got;
}

Deno.test("mutate merge: the merged record is the whole sample, counted and scored anew", () => {
  const { record, info } = mergeShards([3, 1, 2].map((k) => accepted(shard(k))), MUTATE_SHARDS);
  assert.deepEqual(record.report.mutants.map((m) => m.id), PLANNED, "plan order");
  assert.deepEqual(record.report.counts, {
    killed: 2,
    survived: 1,
    equivalent: 1,
    timeout: 0,
    skipped: 1,
  });
  assert.equal(record.report.score, 2 / 3);
  assert.equal(record.report.planned, undefined);
  assert.equal(record.shard, undefined);
  assert.equal(record.report.wallMs, 3000, "the slowest shard's");
  assert.equal(record.report.baselineMs, 300);
  assert.deepEqual(record.args, ["--version", "head", "--max", "5"]);
  assert.match(record.id, /^mutate-20261206T100100000Z-[0-9a-f]{12}$/);
  assert.equal(record.startedAt, "2026-12-06T10:01:00.000Z");
  assert.equal(record.endedAt, "2026-12-06T10:13:00.000Z");
  assert.deepEqual(record.merged?.shards.map((s) => [s.index, s.units]), [[1, 2], [2, 2], [3, 1]]);
  assert.deepEqual(record.merged?.notes, []);
  assert.equal(info.count, 3);
  assert.match(formatSummary(record.report), /5 mutants \(sample seed 1\)/);
  assert.match(formatSummary(record.report), /score 66\.7% \(2 killed of 3\)/);
});

Deno.test("mutate merge: baselines that judged differently are noted", () => {
  const failing = {
    spec: { ...PROBE, version: "head" },
    outcome: "crash" as const,
    wallMs: 5,
  };
  const shards = [
    accepted(shard(1)),
    accepted(shard(2, { limits: { timeMs: 9000, memoryMb: 256 }, excluded: [failing] })),
    accepted(shard(3)),
  ];
  const { record } = mergeShards(shards, MUTATE_SHARDS);
  assert.equal(record.report.limits.timeMs, 9000);
  assert.equal(record.report.excluded.length, 1);
  const notes = record.merged?.notes ?? [];
  assert.match(notes[0], /different time limits.*1\/3 5000 ms, 2\/3 9000 ms, 3\/3 5000 ms/);
  assert.match(notes[1], /1\/3: none; 2\/3: fork cat-self seed 1; 3\/3: none/);
});

Deno.test("mutate merge: missing, doubled and foreign shards are refused", () => {
  const one = accepted(shard(1));
  const three = accepted(shard(3));
  assert.throws(() => checkShards([one, three], MUTATE_SHARDS), /^UsageError: shard 2\/3 missing/);
  const twice: ShardRecord<MutationRecord> = { ...accepted(shard(2)), id: "other", path: "b" };
  assert.throws(
    () => checkShards([one, accepted(shard(2)), twice, three], MUTATE_SHARDS),
    /shard 2\/3 given twice/,
  );
  assert.throws(
    () => checkShards([one, accepted(shard(2, {}, "sha256:bbbb")), three], MUTATE_SHARDS),
    /belongs to another plan \(bbbb/,
  );
  const stray = accepted(shard(2, { mutants: [mutant("m0001"), mutant("m0009")] }));
  assert.throws(
    () => checkShards([one, stray, three], MUTATE_SHARDS),
    /holds mutant m0009, which is not in the plan/,
  );
});

Deno.test("mutate merge: only shard records are taken, and a torn one is named", async () => {
  const unsharded = { ...shard(1), shard: undefined };
  assert.equal(MUTATE_SHARDS.accept(JSON.parse(JSON.stringify(unsharded)), "x.json"), undefined);
  assert.equal(MUTATE_SHARDS.accept({ kind: "bisect", body: { shard: {} } }, "x.json"), undefined);
  const { planned: _planned, ...noPlan } = shard(1).report;
  assert.throws(
    () => MUTATE_SHARDS.accept({ ...shard(1), report: noPlan }, "x.json"),
    /^UsageError: x\.json is not a whole mutate shard record: report\.planned/,
  );
  assert.throws(
    () => MUTATE_SHARDS.accept({ ...shard(1), shard: { index: 1 } }, "y.json"),
    /y\.json is not a whole mutate shard record: shard\.count is not a number/,
  );
  const dir = await Deno.makeTempDir({ prefix: "mutate-merge-" });
  try {
    for (const k of [1, 2, 3]) {
      const r = shard(k);
      await Deno.writeTextFile(join(dir, `${r.id}.json`), JSON.stringify(r));
    }
    await Deno.writeTextFile(join(dir, "mutate-whole.json"), JSON.stringify(unsharded));
    const read = await readShards([dir], [MUTATE_SHARDS]);
    assert.equal(read.shards.length, 3);
    assert.equal(read.ignored.length, 1);
    const { record } = mergeShards(read.shards, MUTATE_SHARDS);
    const path = await MUTATE_SHARDS.save(record, join(dir, "merged"));
    const back = JSON.parse(await Deno.readTextFile(path)) as MutationRecord;
    assert.deepEqual(back.report.counts, record.report.counts);
    assert.equal(path, join(dir, "merged", `${record.id}.json`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
