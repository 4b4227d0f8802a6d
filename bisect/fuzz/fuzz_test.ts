/**
 * Fuzz, shrink and replay against the fixture version `workloads/fuzz/fixtures/gapped-dup`
 * (a bulk dup that crashes on some gapped layouts, standing in for the seed-bug snapshot),
 * and the kept shrunk case of that bug replayed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadVersion } from "../../core/loader.ts";
import { generateCase, materializePrefix } from "../../workloads/fuzz/mod.ts";
import { ProbeRunner } from "../runner.ts";
import { caseFile, formatCaseFile, parseCaseFile, readCase } from "./case_file.ts";
import {
  type CaseRunner,
  caseRunnerFor,
  childCaseRunner,
  inProcessCaseRunner,
} from "./case_runner.ts";
import { fuzz } from "./fuzz.ts";
import { formatReplay, replayCase } from "./replay.ts";
import { shrink } from "./shrink.ts";

const FIXTURE_VERSION = "workloads/fuzz/fixtures/gapped-dup";
const FIXTURE_FOLDER = fileURLToPath(new URL(`../../${FIXTURE_VERSION}`, import.meta.url));
const KEPT_CASE = fileURLToPath(new URL("./fixtures/gapped-dup-fork.case.json", import.meta.url));
const { module: reference } = await loadVersion("testing/reference");
const { module: fixture } = await loadVersion(FIXTURE_FOLDER);

Deno.test("fuzz finds the fixture's crash in child processes and counts cases per second", async () => {
  const runner = new ProbeRunner({ limits: { timeMs: 20_000, memoryMb: 256 }, concurrency: 2 });
  const report = await fuzz({
    trusted: reference,
    stressor: "fork",
    timeMs: 30_000,
    firstSeed: 1,
    concurrency: 2,
    run: childCaseRunner(runner, { name: FIXTURE_VERSION, folder: FIXTURE_FOLDER }),
  });
  assert.ok(report.found, `no failure in ${report.cases} cases`);
  assert.equal(report.found.verdict.signature, "crash splitLeaf (bulk.ts)");
  assert.ok(report.casesPerSecond > 0);
});

Deno.test("fuzz stops at its time limit when nothing fails", async () => {
  const report = await fuzz({
    trusted: reference,
    stressor: "mprotect",
    timeMs: 300,
    firstSeed: 1,
    run: inProcessCaseRunner(reference, "testing/reference"),
  });
  assert.equal(report.found, undefined);
  assert.ok(report.cases > 0);
  assert.ok(report.elapsedMs >= 300);
});

Deno.test("shrink keeps the signature and brings a fuzzed layout down", async () => {
  const run = inProcessCaseRunner(fixture, FIXTURE_VERSION);
  const found = await fuzz({
    trusted: reference,
    stressor: "fork",
    timeMs: 10_000,
    firstSeed: 1,
    run,
  });
  const failing = found.found!.fuzzCase;
  const report = await shrink(failing, {
    run,
    signature: found.found!.verdict.signature,
    materialize: (c) => materializePrefix(reference, c),
  });
  assert.ok(
    report.after.vmas < report.before.vmas,
    `${report.before.vmas} -> ${report.after.vmas}`,
  );
  assert.ok(report.after.operations <= 2, `${report.after.operations} operations left`);
  assert.equal((await run(report.fuzzCase)).signature, "crash splitLeaf (bulk.ts)");
  assert.equal((await inProcessCaseRunner(reference, "ref")(report.fuzzCase)).outcome, "pass");
});

Deno.test("case files round-trip and refuse bad input in one line", () => {
  const { file, fuzzCase } = readCase(KEPT_CASE);
  const again = formatCaseFile(caseFile(fuzzCase, file));
  assert.deepEqual(
    parseCaseFile(again, "again"),
    parseCaseFile(readFileSync(KEPT_CASE, "utf8"), "kept"),
  );
  const dir = mkdtempSync("/tmp/case-");
  const bad = join(dir, "bad.json");
  writeFileSync(bad, again.replace('"perms": "', '"perms": "x'));
  assert.throws(
    () => readCase(bad),
    new RegExp(`^CaseFileError: ${bad}: layout record \\d+: bad perms`),
  );
  assert.throws(() => parseCaseFile("{}", "empty.json"), /empty\.json: schema must be/);
  assert.throws(() => readCase(join(dir, "missing.json")), /cannot read case file/);
});

Deno.test("the kept shrunk case of the dup bug replays: same failure on the fixture, passes on the reference", async () => {
  const { file, fuzzCase } = readCase(KEPT_CASE);
  assert.equal(file.signature, "crash splitLeaf (bulk.ts)");
  assert.ok(fuzzCase.layout.length <= 30, `${fuzzCase.layout.length} VMAs`);
  const runner = new ProbeRunner({ limits: { timeMs: 20_000, memoryMb: 256 } });
  const rows = await replayCase(
    fuzzCase,
    file.signature,
    [FIXTURE_FOLDER, "testing/reference"],
    (v) => childCaseRunner(runner, { name: v, folder: v }),
  );
  assert.deepEqual(rows.map((r) => [r.verdict.outcome, r.same]), [["crash", true], [
    "pass",
    false,
  ]]);
  assert.match(formatReplay(rows)[0], /fails the same way$/);
  assert.match(formatReplay(rows)[1], /passes$/);
  const inProcess = await caseRunnerFor(FIXTURE_FOLDER, { inProcess: true });
  assert.equal((await inProcess(fuzzCase)).signature, file.signature);
});

Deno.test("shrink reduces to exactly what a failure needs (synthetic predicate)", async () => {
  const { fuzzCase } = readCase(KEPT_CASE);
  const big = { ...fuzzCase, operations: [...fuzzCase.operations, { op: "exit" as const }] };
  const needle = big.layout[5];
  // Fails iff the needle VMA is present and a fork happens: the minimum is 1 VMA, 1 operation.
  const run: CaseRunner = (c) => {
    const fails = c.layout.some((v) => v.start === needle.start && v.end === needle.end) &&
      c.operations.some((op) => op.op === "fork");
    const outcome = fails ? "crash" : "pass";
    return Promise.resolve({ outcome, signature: outcome, wallMs: 0 });
  };
  const report = await shrink(big, { run, signature: "crash" });
  assert.deepEqual(report.after, { vmas: 1, operations: 1 });
  assert.equal(report.fuzzCase.layout[0].start, needle.start);
  assert.ok(report.runs < 200, `${report.runs} runs`);
});

const SEED_BUG_CASE = fileURLToPath(
  new URL("./fixtures/seed-bug-v1.2.0.case.json", import.meta.url),
);

Deno.test("fuzz finds the seed's bug in v1.2.0 from nothing but the version", async () => {
  const runner = new ProbeRunner({ limits: { timeMs: 20_000, memoryMb: 256 }, concurrency: 2 });
  const report = await fuzz({
    trusted: reference,
    stressor: "fork",
    timeMs: 60_000,
    firstSeed: 1,
    concurrency: 2,
    run: await caseRunnerFor("v1.2.0", { inProcess: false, runner }),
  });
  assert.ok(report.found, `no failure in ${report.cases} cases`);
  assert.equal(report.found.verdict.signature, "crash fillNode (split.ts)");
});

Deno.test("shrink takes a 92-VMA v1.2.0 crash down to a readable layout", async () => {
  const run = await caseRunnerFor("v1.2.0", { inProcess: true });
  const failing = generateCase(reference, "fork", 101);
  assert.equal(failing.layout.length, 92);
  const first = await run(failing);
  assert.equal(first.signature, "crash fillNode (split.ts)");
  const report = await shrink(failing, {
    run,
    signature: first.signature,
    materialize: (c) => materializePrefix(reference, c),
  });
  assert.ok(report.after.vmas <= 20, `${report.after.vmas} VMAs left`);
  assert.equal(report.after.operations, 1);
});

Deno.test("the kept shrunk case of the seed's bug fails the same way on v1.2.0 only", async () => {
  const { file, fuzzCase } = readCase(SEED_BUG_CASE);
  assert.equal(file.version, "v1.2.0");
  assert.ok(fuzzCase.layout.length <= 20, `${fuzzCase.layout.length} VMAs`);
  const runner = new ProbeRunner({ limits: { timeMs: 20_000, memoryMb: 256 }, concurrency: 2 });
  const versions = ["v1.1.0", "v1.2.0", "v1.3.0", "head"];
  const runners = new Map<string, CaseRunner>();
  for (const v of versions) runners.set(v, await caseRunnerFor(v, { inProcess: false, runner }));
  const rows = await replayCase(fuzzCase, file.signature, versions, (v) => runners.get(v)!);
  assert.deepEqual(rows.map((r) => [r.version, r.verdict.outcome, r.same]), [
    ["v1.1.0", "pass", false],
    ["v1.2.0", "crash", true],
    ["v1.3.0", "pass", false],
    ["head", "pass", false],
  ]);
});
