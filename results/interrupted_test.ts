import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { interruptedFixtures } from "./fixtures/make_interrupted.ts";
import { buildHistory, formatHistory } from "./history.ts";
import {
  describeInterruption,
  interruptionOf,
  resumedBy,
  standingRecords,
  unfinishedRuns,
} from "./interrupted.ts";
import { renderReport } from "./report.ts";
import { findJournals, loadRecords } from "./store.ts";
import { validateRecord } from "./validate.ts";

const DIR = fileURLToPath(new URL("./fixtures/interrupted/", import.meta.url));
const A1 = "bench-20261127T100000000Z-0000000000a1";
const A2 = "bench-20261127T110000000Z-0000000000a2";
const A3 = "bench-20261128T100000000Z-0000000000a3";
const A4 = "bench-20261129T100000000Z-0000000000a4";
const A5 = "fuzz-20261129T120000000Z-0000000000a5";

async function fixture() {
  const warnings: string[] = [];
  const { records, skipped } = await loadRecords(DIR, (m) => warnings.push(m));
  const journals = await findJournals(DIR, (m) => warnings.push(m));
  return { records: records.map((r) => r.record), skipped, journals, warnings };
}

Deno.test("the interrupted fixtures are what their generator writes, and the records are valid", async () => {
  for (const [name, text] of Object.entries(interruptedFixtures())) {
    assert.equal(await Deno.readTextFile(join(DIR, name)), text, name);
  }
  const { records, skipped } = await fixture();
  assert.deepEqual(skipped, [], "the fuzz campaign's file is not taken for a record");
  assert.deepEqual(records.map((r) => r.id), [A1, A2, A3]);
  for (const r of records) assert.ok(validateRecord(r).ok, r.id);
});

Deno.test("journals are found by their header; a torn last line and a broken header do not choke", async () => {
  const { journals, warnings } = await fixture();
  assert.deepEqual(journals.map((j) => [j.id, j.command, j.units, j.record !== undefined]), [
    [A3, "bench", 1, true],
    [A4, "bench", 1, false],
    [A5, "fuzz", 3, true],
  ]);
  assert.deepEqual(warnings, [
    "skipping journal broken.journal.jsonl: its first line is not a journal header",
  ]);
  assert.deepEqual(await findJournals("/nonexistent/maple-runs"), []);
});

Deno.test("an interruption is read from a bench's mark and a bisect's", async () => {
  const { records } = await fixture();
  const byId = new Map(records.map((r) => [r.id, r]));
  assert.equal(
    describeInterruption(interruptionOf(byId.get(A1)!)!),
    "interrupted (SIGINT), 2 of 4 units",
  );
  assert.equal(interruptionOf(byId.get(A2)!), undefined);
  const bisect = {
    ...byId.get(A2)!,
    kind: "bisect",
    body: { mode: "crash", probes: [], interrupted: { signal: "SIGTERM", probesKept: 1 } },
  };
  const mark = interruptionOf(bisect as unknown as typeof records[number])!;
  assert.equal(describeInterruption(mark), "interrupted (SIGTERM), 1 probe kept");
});

Deno.test("a record resumed by a later one stands aside: its figures are not counted twice", async () => {
  const { records, journals } = await fixture();
  assert.deepEqual([...resumedBy(records)], [[A1, A2]]);
  assert.deepEqual(standingRecords(records).map((r) => r.id), [A2, A3]);
  const [load] = buildHistory(records);
  assert.deepEqual(load.runs.v1.map((p) => [p.runId, p.interrupted]), [
    [A2, undefined],
    [A3, "interrupted (SIGTERM), 1 of 4 units"],
  ]);
  assert.equal(load.runs.v2.length, 1);
  const text = formatHistory([load]);
  assert.match(text, /^ {2}v1 +100 ns\/op +101 ns\/op\*$/m);
  assert.match(text, new RegExp(`^  \\* run ${A3}: interrupted \\(SIGTERM\\), 1 of 4 units$`, "m"));

  const lines = unfinishedRuns(records, journals);
  assert.equal(lines.length, 3, lines.join("\n"));
  assert.match(
    lines[0],
    new RegExp(
      `^${A3}: bench interrupted \\(SIGTERM\\), 1 of 4 units; resume: deno task bench .* --resume \\S+${A3}\\.journal\\.jsonl$`,
    ),
  );
  assert.match(
    lines[1],
    new RegExp(
      `^unfinished run, journal only: \\S+${A4}\\.journal\\.jsonl \\(bench, 1 unit\\); resume: deno task bench --quick --versions v1,v2 .*--resume \\S+${A4}\\.journal\\.jsonl$`,
    ),
  );
  assert.match(
    lines[2],
    new RegExp(
      `^${A5}: fuzz interrupted, 3 cases kept; resume: deno task fuzz --version v1\\.2\\.0 --seed 40 --resume `,
    ),
  );
});

Deno.test("the report marks interrupted runs and lists those to resume", async () => {
  const { records, journals } = await fixture();
  const html = renderReport({ records, journals });
  assert.match(html, /id="unfinished">Runs that did not finish \(3\):/);
  assert.match(html, new RegExp(`interrupted \\(SIGINT\\), 2 of 4 units; resumed in ${A2}`));
  assert.match(html, /<td class="interrupted">interrupted \(SIGTERM\), 1 of 4 units<\/td>/);
  assert.match(html, /run 11-28 10:00:00 00a3 \(interrupted\)/, "the chart's legend says so");
  assert.match(
    html,
    /Latest bench run<\/h2><p>Record bench-20261128T100000000Z-0000000000a3, .*interrupted \(SIGTERM\), 1 of 4 units/,
  );
});
