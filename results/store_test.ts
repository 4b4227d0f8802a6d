import assert from "node:assert/strict";
import { join } from "node:path";
import { buildRecord, type SuiteRecord } from "./record.ts";
import { loadRecords, saveRecord } from "./store.ts";

function benchRecord(startedAt: Date, value: number): SuiteRecord {
  return buildRecord({
    kind: "bench",
    startedAt,
    versions: [{ name: "head", hash: null }],
    parameters: {},
    seeds: [],
    samples: [{
      benchmark: "core/x",
      version: "head",
      unit: "ns/op",
      better: "lower",
      values: [value],
    }],
    verdicts: [],
    body: { harness: "mitata", quick: true, cases: [] },
  });
}

Deno.test("saved records load back, oldest first, with no temporary files left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveRecord(benchRecord(new Date("2026-02-01T00:00:00Z"), 2), dir);
    await saveRecord(benchRecord(new Date("2026-01-01T00:00:00Z"), 1), dir);
    const { records, skipped } = await loadRecords(dir, () => assert.fail("no warning expected"));
    assert.deepEqual(skipped, []);
    assert.deepEqual(records.map((r) => r.record.samples[0].values[0]), [1, 2]);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(names.filter((n) => n.endsWith(".tmp")).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two runs saving at once (even with the same id) never overwrite each other", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const same = benchRecord(new Date(), 5);
    const paths = await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => saveRecord(i % 2 ? same : benchRecord(new Date(), i), dir),
      ),
    );
    assert.equal(new Set(paths).size, 12);
    const { records, skipped } = await loadRecords(dir);
    assert.equal(records.length, 12);
    assert.equal(skipped.length, 0);
    for (const { path, record } of records) assert.equal(path, join(dir, `${record.id}.json`));
    assert.equal(records.filter((r) => r.record.samples[0].values[0] === 5).length, 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("truncated and invalid records are named, skipped and the rest still load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await saveRecord(benchRecord(new Date(), 1), dir);
    const text = await Deno.readTextFile(good);
    await Deno.writeTextFile(join(dir, "cut.json"), text.slice(0, text.length / 2));
    await Deno.writeTextFile(join(dir, "empty.json"), "");
    await Deno.writeTextFile(join(dir, "wrong.json"), JSON.stringify({ kind: "bench" }));
    await Deno.writeTextFile(join(dir, "notes.txt"), "ignored: not a record file");
    const warnings: string[] = [];
    const { records, skipped } = await loadRecords(dir, (m) => warnings.push(m));
    assert.equal(records.length, 1);
    assert.deepEqual(skipped.map((s) => s.path.split("/").pop()), [
      "cut.json",
      "empty.json",
      "wrong.json",
    ]);
    assert.match(skipped[0].reason, /truncated/);
    assert.match(skipped[2].reason, /schema/);
    assert.equal(warnings.length, 3);
    assert.match(warnings[0], /^skipping record cut\.json: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder that does not exist holds no records", async () => {
  const { records, skipped } = await loadRecords("/nonexistent/maple-bisect-runs");
  assert.equal(records.length + skipped.length, 0);
});
