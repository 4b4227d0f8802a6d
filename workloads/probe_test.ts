import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MapleInvariantError } from "../core/contract.ts";
import { loadVersion } from "../core/loader.ts";
import { parseFrames, topFrame } from "./classify.ts";
import { withFaults } from "./fault_injection.ts";
import { decodeOperation, encodeOperation, type Operation } from "./operations.ts";
import { parseProbeSpec, ProbeSpecError, runProbe, runProbeWith } from "./probe.ts";
import type { ProbeResult, ProbeSpec } from "./probe_types.ts";

const VERSION = existsSync(new URL("../core/head/mod.ts", import.meta.url))
  ? "head"
  : "testing/reference";
const { module } = await loadVersion(VERSION);
const spec: ProbeSpec = {
  version: VERSION,
  stressor: "fork",
  layout: "cat-self",
  seed: 3,
  ops: 50,
  verify: true,
};

Deno.test("a passing probe reports ops, digests and the layout size", async () => {
  const result = await runProbe(spec);
  assert.equal(result.outcome, "pass");
  assert.equal(result.bogoOps, 50);
  assert.equal(result.layoutVmas, 37);
  assert.match(result.digest, /^[0-9a-f]{16}$/);
  assert.equal(result.failure, undefined);
});

Deno.test("each kind of failure of the code under test gets its outcome class", () => {
  const invalid = runProbeWith(
    withFaults(module, {
      validateFails: (t) =>
        t.count() > 37
          ? new MapleInvariantError("pivot-order", "root/1", 3, "injected")
          : undefined,
    }),
    { ...spec, stressor: "mmap" },
  );
  assert.equal(invalid.outcome, "invalid");
  assert.equal(invalid.failure?.kind, "MapleInvariantError");
  assert.match(invalid.failure!.operation, /in an mm with 37 VMAs/);

  const leak = runProbeWith(withFaults(module, { leakAfterClear: 1 }), spec);
  assert.equal(leak.outcome, "leak");
  assert.equal(leak.failure?.atOp, 0, "the first child's exit already leaks");

  const crash = runProbeWith(
    withFaults(module, {
      beforeDup: (count) => {
        if (count > 30) (undefined as unknown as { parent: number }).parent = 1;
      },
    }),
    spec,
  );
  assert.equal(crash.outcome, "crash");
  assert.equal(crash.failure?.kind, "TypeError");
  assert.equal(crash.failure?.operation, "fork in an mm with 37 VMAs");
  assert.match(
    crash.failure!.frames[0],
    /^(Object\.)?beforeDup \(workloads\/probe_test\.ts:\d+\)$/,
  );

  const wrong = runProbeWith(
    withFaults(module, { loadHides: (i) => i % 4096 === 4095 }),
    { ...spec, stressor: "mmap" },
  );
  assert.equal(wrong.outcome, "wrong");
  assert.equal(wrong.failure?.kind, "DifferentialMismatchError");
});

Deno.test("explicit layouts and operations run instead of the named ones", () => {
  const ops: Operation[] = [
    { op: "mmap", addr: 0x10_0000, length: 0x3000, prot: 3, fixed: true },
    { op: "fork" },
    { op: "munmap", target: 0, addr: 0x10_1000, length: 0x1000 },
    { op: "exit" },
  ];
  const result = runProbeWith(module, {
    ...spec,
    inlineLayout: [{ range: "40000-42000", perms: "r--p", offset: "0x0", name: "/bin/x" }],
    operations: ops.map(encodeOperation),
  });
  assert.equal(result.outcome, "pass");
  assert.equal(result.bogoOps, 4);
  assert.equal(result.layoutVmas, 1);
  for (const op of ops) assert.deepEqual(decodeOperation(encodeOperation(op)), op);
});

Deno.test("a timed probe runs without checks, after a warm-up pass, and reports its CPU time", () => {
  const timed: ProbeSpec = { ...spec, verify: false, mode: "timed" };
  let dups = 0;
  const counting = withFaults(module, { beforeDup: () => void dups++ });
  runProbeWith(counting, { ...spec, ops: Math.ceil(spec.ops / 4), verify: false });
  const warmupDups = dups;
  dups = 0;
  const checked = runProbeWith(counting, { ...spec, verify: false });
  const checkedDups = dups;
  dups = 0;
  const result = runProbeWith(counting, timed);
  assert.equal(result.outcome, "pass");
  assert.equal(result.bogoOps, 50);
  assert.equal(result.digest, checked.digest, "the same run as the checked one");
  assert.ok(warmupDups > 0 && warmupDups < checkedDups);
  assert.equal(
    dups,
    warmupDups + checkedDups,
    "a warm-up pass of a quarter, then the measured one",
  );
  assert.ok(result.cpuMs !== undefined && result.cpuMs > 0);
  assert.equal(checked.cpuMs, undefined, "only timed probes report CPU time");

  // A tree that differs from the reference is caught only where the mirror runs.
  const hiding = withFaults(module, { loadHides: (i) => i % 4096 === 4095 });
  assert.equal(runProbeWith(hiding, { ...spec, stressor: "mmap" }).outcome, "wrong");
  assert.equal(runProbeWith(hiding, { ...timed, stressor: "mmap" }).outcome, "pass");

  // A crash in the warm-up pass is the sample's outcome; the measured pass does not run.
  dups = 0;
  const crashing = withFaults(module, {
    beforeDup: () => {
      if (++dups === 3) throw new TypeError("boom");
    },
  });
  const crash = runProbeWith(crashing, timed);
  assert.equal(crash.outcome, "crash");
  assert.equal(crash.failure?.message, "boom");
  assert.equal(dups, 3);
});

Deno.test("bad specs are refused before anything runs", async () => {
  assert.throws(() => parseProbeSpec({ ...spec, stressor: "nope" }), ProbeSpecError);
  assert.throws(() => parseProbeSpec({ ...spec, seed: -1 }), /"seed"/);
  assert.throws(() => parseProbeSpec({ ...spec, options: { bogus: 3 } }), /options\.bogus/);
  assert.throws(
    () => parseProbeSpec({ ...spec, mode: "fast" }),
    /"mode" must be one of checked, timed/,
  );
  assert.throws(
    () => parseProbeSpec({ ...spec, mode: "timed", verify: true }),
    /"verify" must be false in timed mode/,
  );
  await assert.rejects(() => runProbe({ ...spec, version: "no-such-version" }), /unknown version/);
  await assert.rejects(
    () => runProbe({ ...spec, inlineLayout: [{ range: "zz", perms: "r--p" }] }),
    /layout record 0: bad range/,
  );
  await assert.rejects(
    () => runProbe({ ...spec, operations: [{ op: "munmap", addr: "0x1000" }] }),
    /operation 0: munmap needs "length"/,
  );
});

Deno.test("frames are parsed as function (file:line) and the top frame drops the line", () => {
  // Frames are made relative to the checkout, wherever it lives.
  const root = new URL("../", import.meta.url).href;
  const stack = [
    "TypeError: boom",
    `    at splitNode (${root}core/head/split.ts:120:7)`,
    "    at Array.map (<anonymous>)",
    `    at ${root}core/head/write.ts:9:1`,
  ].join("\n");
  const frames = parseFrames(stack);
  assert.deepEqual(frames, [
    "splitNode (core/head/split.ts:120)",
    "Array.map (<anonymous>)",
    "<anonymous> (core/head/write.ts:9)",
  ]);
  assert.equal(topFrame(frames), "splitNode (split.ts)");
});

const PROBE_MAIN = fileURLToPath(new URL("./probe_main.ts", import.meta.url));

async function probeCli(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PROBE_MAIN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("probe_main prints exactly one ProbeResult line and exits 0", async () => {
  const viaArg = await probeCli(["--spec", JSON.stringify(spec)]);
  assert.equal(viaArg.code, 0);
  const lines = viaArg.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const result = JSON.parse(lines[0]) as ProbeResult;
  assert.equal(result.outcome, "pass");
  const viaStdin = await probeCli([], JSON.stringify(spec));
  assert.equal((JSON.parse(viaStdin.stdout) as ProbeResult).digest, result.digest);
});

Deno.test("probe_main in timed mode adds the CPU time to its one line", async () => {
  const timed = await probeCli([
    "--spec",
    JSON.stringify({ ...spec, verify: false, mode: "timed" }),
  ]);
  assert.equal(timed.code, 0);
  const lines = timed.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const result = JSON.parse(lines[0]) as ProbeResult;
  assert.equal(result.outcome, "pass");
  assert.equal(typeof result.cpuMs, "number");
  const bad = await probeCli(["--spec", JSON.stringify({ ...spec, mode: "timed" })]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^probe: probe spec field "verify" must be false in timed mode\n$/);
});

Deno.test("probe_main refuses a bad spec with one line on stderr and exit 2", async () => {
  const bad = await probeCli(["--spec", "{not json"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  assert.match(bad.stderr, /^probe: probe spec is not JSON/);
  const unknown = await probeCli(["--spec", JSON.stringify({ ...spec, layout: "nosuch" })]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown layout "nosuch"/);
});
