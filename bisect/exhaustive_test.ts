import assert from "node:assert/strict";
import { exhaustive } from "./exhaustive.ts";
import { formatExhaustive } from "./report.ts";
import { fakeSampler } from "./fake_sampler.ts";
import type { ProbeCase, VersionRef } from "./runner.ts";

const VERSIONS: VersionRef[] = ["v1", "v2", "v3", "v4"].map((name) => ({ name, folder: name }));
const MATRIX: ProbeCase[] = [
  { stressor: "fork", layout: "cat-self", seed: 1, ops: 5, verify: true },
  { stressor: "fork", layout: "random:vmas=40,gap=1", seed: 1, ops: 5, verify: true },
];
const PERF: ProbeCase = { stressor: "mmap", layout: "glibc", seed: 1, ops: 50, verify: false };

Deno.test("exhaustive: every cell, and each version's throughput against the one before", async () => {
  const perf = fakeSampler({ v1: 100, v2: 101, v3: 70, v4: 72 }, { jitter: [0.98, 1.0, 1.02] });
  const table = await exhaustive({
    versions: VERSIONS,
    crashMatrix: MATRIX,
    perfProbe: PERF,
    samples: 6,
    threshold: 0.1,
    alpha: 0.01,
    crashRun: (v, p) =>
      Promise.resolve({
        spec: { version: v.name, ...p },
        outcome: v.name === "v2" && p.layout.startsWith("random")
          ? "crash"
          : v.name === "v4"
          ? "skip"
          : "pass",
        wallMs: 1,
      }),
    perfRun: perf.run,
  });
  assert.deepEqual(table.cells.map((row) => row.map((r) => r?.outcome)), [
    ["pass", "pass"],
    ["pass", "crash"],
    ["pass", "pass"],
    ["skip", "skip"],
  ]);
  assert.deepEqual(
    perf.order.slice(0, 8),
    ["v1", "v2", "v3", "v4", "v1", "v2", "v3", "v4"],
    "round-robin",
  );
  assert.equal(table.perf?.changes[0], null);
  assert.deepEqual(table.perf?.changes.slice(1).map((c) => c?.verdict), [
    "not-slower",
    "slower",
    "not-slower",
  ]);
  const text = formatExhaustive(table);
  assert.match(text, /v2 +\.C +1\/2/);
  assert.match(text, /v4 +SS +0\/2/);
  assert.match(text, /v3 +[\d.]+ +±\d+% +-30\.\d% +SLOWER/);
});
