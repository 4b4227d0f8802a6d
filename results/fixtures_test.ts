import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixtureRecords } from "./fixtures/make_fixtures.ts";
import { loadRecords } from "./store.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

Deno.test("the committed fixtures are what the generator writes, and all are valid", async () => {
  const { records, skipped } = await loadRecords(join(FIXTURES, "runs"));
  assert.deepEqual(skipped, []);
  const expected = fixtureRecords();
  assert.deepEqual(
    Object.fromEntries(records.map((r) => [r.path.split("/").pop(), r.record])),
    JSON.parse(JSON.stringify(expected)),
  );
});

Deno.test("the broken fixtures are each named and skipped", async () => {
  const warnings: string[] = [];
  const { records, skipped } = await loadRecords(join(FIXTURES, "broken"), (m) => warnings.push(m));
  assert.equal(records.length, 0);
  assert.deepEqual(skipped.map((s) => s.path.split("/").pop()), ["invalid.json", "truncated.json"]);
  assert.match(skipped[0].reason, /schemaVersion/);
  assert.match(skipped[1].reason, /truncated/);
  assert.equal(warnings.length, 2);
});
