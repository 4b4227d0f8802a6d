import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { attributeErrors, diffOf, readVersionSources, writeMutant } from "./mutants.ts";
import { presetMatrix } from "./presets.ts";
import { describeMatrix } from "../matrix.ts";
import { formatSummary } from "./report.ts";
import { mutantLimits, mutate, MutateError, sampleIndices, scoreOf } from "./run.ts";
import { applySite, describeSite, findSites } from "./sites.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/mutable/tree", import.meta.url));

Deno.test("sites come from the parser: comparisons, constants, statements and if conditions", () => {
  const source = [
    "type Small = 1 | 2;",
    "const table = { 3: 'three' };",
    "export function f(a: number, b: number): number {",
    "  let n = 0x10;",
    "  if (a <= b) n++;",
    "  if (a === -1) throw new RangeError(`bad ${a + 7}`);",
    '  const s = "a < b";',
    "  return n + s.length;",
    "}",
  ].join("\n");
  const sites = findSites("f.ts", source);
  const seen = sites.map((s) => `${s.line}:${s.kind}:${s.original}->${s.replacement}`);
  assert.deepEqual(seen, [
    "4:constant:0x10->0x11",
    "4:constant:0x10->0xf",
    "5:if-true:a <= b->true",
    "5:if-false:a <= b->false",
    "5:comparison:<=-><",
    "5:drop:n++;->;",
    "6:if-true:a === -1->true",
    "6:if-false:a === -1->false",
    "6:comparison:===->!==",
    "6:constant:1->2",
    "6:constant:1->0",
  ]);
  // The literal type, the property name, the string and the thrown message are left alone.
  const site = sites.find((s) => s.kind === "comparison")!;
  assert.equal(applySite(source, site).split("\n")[4], "  if (a < b) n++;");
  assert.equal(describeSite(sites[5]), "drop `n++;`");
  assert.throws(() => applySite(source.replace("<=", "=="), site), /the source changed/);
});

Deno.test("a zero literal one lower is parenthesised, so `x - 0` cannot become `x --1`", () => {
  const [, minus] = findSites("z.ts", "export const y = (x: number) => x - 0;\n");
  assert.equal(minus.replacement, "(-1)");
  assert.equal(
    applySite("export const y = (x: number) => x - 0;\n", minus).trim(),
    "export const y = (x: number) => x - (-1);",
  );
});

Deno.test("sampling is deterministic by seed, ascending and without repeats", () => {
  const a = sampleIndices(1000, 50, 7);
  assert.deepEqual(a, sampleIndices(1000, 50, 7));
  assert.notDeepEqual(a, sampleIndices(1000, 50, 8));
  assert.equal(new Set(a).size, 50);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.deepEqual(sampleIndices(3, 50, 1), [0, 1, 2]);
});

Deno.test("limits follow the baseline, and the score leaves equivalent and timeout mutants out", () => {
  assert.deepEqual(mutantLimits([200, 300]), { timeMs: 5000, memoryMb: 256 });
  assert.deepEqual(mutantLimits([1500]), { timeMs: 15000, memoryMb: 256 });
  assert.deepEqual(mutantLimits([9000]), { timeMs: 20000, memoryMb: 256 });
  assert.equal(scoreOf({ killed: 9, survived: 1, equivalent: 5, timeout: 3, skipped: 2 }), 0.9);
  assert.equal(scoreOf({ killed: 0, survived: 0, equivalent: 1, timeout: 0, skipped: 0 }), null);
});

Deno.test("a mutant is a whole copy of the folder whose contract re-exports the original's", () => {
  const sources = readVersionSources(FIXTURE);
  assert.deepEqual([...sources.files.keys()].sort(), ["mod.ts", "write.ts"]);
  const site = findSites("write.ts", sources.files.get("write.ts")!)[0];
  const scratch = Deno.makeTempDirSync();
  const mutant = writeMutant(sources, site, "m0000", scratch);
  assert.equal(mutant.folder, `${scratch}/m0000/tree`);
  assert.match(readFileSync(`${mutant.folder}/write.ts`, "utf8"), /if \(true\) return first;/);
  assert.equal(
    readFileSync(`${scratch}/m0000/contract.ts`, "utf8"),
    `export * from "${new URL("../fixtures/mutable/contract.ts", import.meta.url).href}";\n`,
  );
  assert.equal(
    diffOf(sources, site, "m0000"),
    [
      "--- tree/write.ts",
      "+++ tree/write.ts (m0000: if-true, if (last < first) → true)",
      "@@ -17,3 +17,3 @@",
      " export function copiedLast(first: number, last: number): number {",
      "-  if (last < first) return first;",
      "+  if (true) return first;",
      "   return last + 0;",
    ].join("\n"),
  );
});

Deno.test("type errors are told apart by the mutant folder they are in", () => {
  const site = findSites("a.ts", "if (x) y();")[0];
  const batch = [
    { id: "m1", site, folder: "/s/m1/head" },
    { id: "m2", site, folder: "/s/m2/head" },
  ];
  const text = [
    "TS2454 [ERROR]: Variable 'n' is used before being assigned.",
    "    at file:///s/m2/head/write.ts:3:7",
    "",
    "TS2322 [ERROR]: Type 'number' is not assignable to type 'string'.",
    "    at file:///s/m2/head/split.ts:9:1",
    "Found 2 errors.",
  ].join("\n");
  assert.deepEqual(
    attributeErrors(text, batch),
    new Map([["m2", "TS2454 [ERROR]: Variable 'n' is used before being assigned. (write.ts:3:7)"]]),
  );
});

Deno.test("the presets: the bisect's crash matrix, its fork group, and a broad one", () => {
  assert.equal(
    describeMatrix(presetMatrix("fork")),
    "16 probes (fork × 8 layouts × 2 seeds, 20 ops; verified)",
  );
  assert.equal(
    describeMatrix(presetMatrix("default")),
    "36 probes (fork × 8 layouts × 2 seeds, 20 ops; clone × 2 layouts × 1 seed, 20 ops; " +
      "mmap, munmap, mprotect, mremap, brk × 3 layouts × 1 seed, 50 ops; " +
      "tree × 1 layout × 3 seeds, 1000 ops; verified)",
  );
  // The default holds the fork group whole: the seed's class is never traded away.
  const fork = presetMatrix("fork").map((p) => JSON.stringify(p));
  const defaults = new Set(presetMatrix("default").map((p) => JSON.stringify(p)));
  assert.ok(fork.every((p) => defaults.has(p)));
  const broad = presetMatrix("broad");
  assert.deepEqual(
    [...new Set(broad.map((p) => p.stressor))],
    ["fork", "clone", "mmap", "munmap", "mprotect", "mremap", "brk"],
  );
  assert.ok(broad.every((p) => p.verify));
});

Deno.test("a run kills what a probe catches and screens the rest as equivalent", async () => {
  const scratch = Deno.makeTempDirSync();
  const seen: string[] = [];
  const report = await mutate({
    version: { name: "mutable", folder: FIXTURE },
    matrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 2, verify: true }],
    max: 100,
    seed: 1,
    jobs: 2,
    scratch,
    screenOptions: { ops: 2_000, seeds: [1] },
    onMutant: (result) => seen.push(result.id),
  });
  assert.equal(report.sites, 5);
  assert.equal(seen.length, 5);
  const status = Object.fromEntries(report.mutants.map((m) => [describeSite(m.site), m.status]));
  assert.deepEqual(status, {
    "if (last < first) → true": "killed",
    "if (last < first) → false": "equivalent",
    "< → <=": "equivalent",
    "0 → 1": "killed",
    "0 → (-1)": "killed",
  });
  const killed = report.mutants.find((m) => m.status === "killed")!;
  assert.equal(killed.killedBy?.probe, "fork cat-self seed 1");
  assert.equal(killed.killedBy?.outcome, "wrong");
  assert.deepEqual(report.counts, {
    killed: 3,
    survived: 0,
    equivalent: 2,
    timeout: 0,
    skipped: 0,
  });
  assert.equal(report.score, 1);
  assert.match(formatSummary(report), /score 100\.0% \(3 killed of 3\)/);
  assert.equal(existsSync(scratch), false, "the scratch folder is removed");
});

Deno.test("a matrix that fails on the version itself is refused", async () => {
  await assert.rejects(
    () =>
      mutate({
        version: { name: "mutable", folder: FIXTURE },
        matrix: [{ stressor: "fork", layout: "cat-self", seed: 1, ops: 2, verify: true }],
        max: 1,
        seed: 1,
        jobs: 1,
        scratch: Deno.makeTempDirSync(),
        // The fixture keeps no nodes, so a tree that does is a shape it never matches.
        shapeOracle: { name: "workloads/fixtures/shape-16", folder: "workloads/fixtures/shape-16" },
      }),
    (error: unknown) =>
      error instanceof MutateError &&
      /^every probe of the matrix fails on mutable itself \(first: ShapeMismatchError: /.test(
        error.message,
      ),
  );
});
