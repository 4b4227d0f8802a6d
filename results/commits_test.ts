import assert from "node:assert/strict";
import { commitFixtureRecords, fixtureCommit } from "./fixtures/commit_fixtures.ts";
import { commitAxisLabel, commitsOf, commitTitle, orderVersions } from "./commits.ts";
import { buildHistory, formatHistory } from "./history.ts";
import { selectSides } from "./select.ts";
import { validateRecord } from "./validate.ts";

const records = commitFixtureRecords(12, 8);

Deno.test("records of commits are valid records, each version carrying its commit", () => {
  for (const record of records) {
    const result = validateRecord(JSON.parse(JSON.stringify(record)));
    assert.ok(result.ok, JSON.stringify(result));
  }
  const bad = JSON.parse(JSON.stringify(records[0]));
  bad.versions[0].commit.position = 0;
  assert.equal(validateRecord(bad).ok, false, "a position starts at 1");
});

Deno.test("commits are ordered by their first-parent position, whatever the records' order", () => {
  const shuffled = [records[5], records[0], records[11], records[3], ...records];
  const commits = commitsOf(shuffled);
  const names = [...commits.keys()].reverse();
  const ordered = orderVersions(["head", ...names, "v1"], commits);
  assert.deepEqual(ordered.slice(0, 2), ["v1", "head"], "named versions first, head last");
  assert.deepEqual(
    ordered.slice(2),
    records.map((r) => r.versions[0].name),
    "then the commits in history order",
  );
});

Deno.test("history names the commit that introduced a step", () => {
  // Records written newest first must not reverse the history.
  const [load, mmap] = buildHistory([...records].reverse());
  assert.equal(load.benchmark, "core/load-random");
  assert.deepEqual(load.versions, records.map((r) => r.versions[0].name));
  const stepCommit = fixtureCommit(8, 8);
  assert.deepEqual(load.versionSteps.map((s) => s.label), [`git:${stepCommit.short}`]);
  assert.deepEqual(mmap.versionSteps, []);
  const text = formatHistory([load]);
  assert.match(
    text,
    new RegExp(
      `step at commit ${stepCommit.short} "head: walk the whole path again before every ` +
        `store" \\(2026-11-09\\) \\(after ${
          fixtureCommit(7, 8).short
        }\\): 10\\d ns/op -> 14\\d ns/op`,
    ),
  );
  assert.match(
    text,
    new RegExp(`^ {2}git:${stepCommit.short} {2}2026-11-09 +1[34]\\d ns/op {2}head: walk`, "m"),
  );
});

Deno.test("compare takes a commit by any unique prefix and names it with its subject", () => {
  const a = fixtureCommit(7, 8);
  const b = fixtureCommit(8, 8);
  const sides = selectSides(`git:${a.short.slice(0, 7)}`, `git:${b.short.slice(0, 8)}`, records);
  assert.equal(sides.before.title, `git:${a.short}`);
  assert.equal(sides.after.title, `git:${b.short}`);
  assert.match(sides.description, /"head: walk the whole path again before every store"/);
  assert.throws(() => selectSides("git:", "git:" + b.short, records), /ambiguous/);
});

Deno.test("a commit is labelled by day and short sha on an axis, with its subject in a title", () => {
  const c = fixtureCommit(8, 8);
  assert.equal(commitAxisLabel(c), `11-09 ${c.short.slice(0, 7)}`);
  assert.equal(commitTitle(c), `${c.short} "${c.subject}" (2026-11-09)`);
});
