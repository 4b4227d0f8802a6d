import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCommandFile } from "./test_support.ts";

// Interrupted records, a record resumed since, a journal alone (kill -9) with a torn last
// line, an interrupted fuzz campaign and a broken journal: see results/fixtures/make_interrupted.ts.
const DIR = join(ROOT, "results", "fixtures", "interrupted");
const A3 = "bench-20261128T100000000Z-0000000000a3";
const A4 = "bench-20261129T100000000Z-0000000000a4";

Deno.test("history shows interrupted runs as such and lists what did not finish", async () => {
  const ran = await runCommandFile("history.ts", ["--dir", DIR]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^ {2}v1 +100 ns\/op +101 ns\/op\*$/m);
  assert.match(
    ran.stdout,
    new RegExp(`^  \\* run ${A3}: interrupted \\(SIGTERM\\), 1 of 4 units$`, "m"),
  );
  const tail = ran.stdout.slice(ran.stdout.indexOf("runs that did not finish:"));
  assert.equal(tail.trim().split("\n").length, 4, tail);
  assert.match(
    tail,
    new RegExp(
      `unfinished run, journal only: \\S+${A4}\\.journal\\.jsonl \\(bench, 1 unit\\); resume: deno task bench `,
    ),
  );
  assert.equal(
    ran.stderr.trim(),
    "skipping journal broken.journal.jsonl: its first line is not a journal header",
  );

  const json = await runCommandFile("history.ts", ["--dir", DIR, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { runs: { v1: { interrupted?: string }[] } }[];
  assert.equal(rows[0].runs.v1[1].interrupted, "interrupted (SIGTERM), 1 of 4 units");
  assert.match(json.stderr, /^history: unfinished run, journal only: /m);
});

Deno.test("report and compare read interrupted records; a journal given to compare is refused in one line", async () => {
  const out = await Deno.makeTempFile({ suffix: ".html" });
  try {
    const report = await runCommandFile("report.ts", ["--dir", DIR, "--out", out]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(await Deno.readTextFile(out), /Runs that did not finish \(3\)/);
  } finally {
    await Deno.remove(out);
  }

  const versions = await runCommandFile("compare.ts", ["--dir", DIR, "v1", "v2"]);
  assert.equal(versions.code, 1, versions.stderr);
  assert.match(versions.stdout, /^v1 -> v2 in record bench-20261127T110000000Z-0000000000a2$/m);

  const files = await runCommandFile("compare.ts", [
    join(DIR, `${A3}.json`),
    join(DIR, "bench-20261127T110000000Z-0000000000a2.json"),
  ]);
  assert.equal(files.code, 0, files.stderr);
  assert.match(
    files.stdout,
    new RegExp(`^note: record ${A3} was interrupted \\(SIGTERM\\), 1 of 4 units`, "m"),
  );

  const journal = await runCommandFile("compare.ts", [join(DIR, `${A4}.journal.jsonl`), "v1"]);
  assert.equal(journal.code, 2);
  assert.equal(journal.stderr.trim().split("\n").length, 1, journal.stderr);
  assert.match(
    journal.stderr,
    /is the journal of an unfinished bench run, which left no record: resume it: deno task bench /,
  );
});
