import assert from "node:assert/strict";
import { compareSamples, formatComparison, formatValue, MARKERS } from "./compare.ts";
import type { Better, SampleSet } from "./record.ts";

function set(
  benchmark: string,
  values: number[],
  better: Better = "lower",
  error?: string,
): SampleSet {
  return {
    benchmark,
    version: "head",
    unit: better === "lower" ? "ns/op" : "ops/s",
    better,
    values,
    ...(error ? { error } : {}),
  };
}

const base = [100, 101, 99, 102, 98, 100, 103, 97];
const times = (k: number) => base.map((v) => v * k);

Deno.test("each change class gets its marker", () => {
  const before = [
    set("slower", base),
    set("faster", base),
    set("same", base),
    set("noisy", [100, 300, 50, 200]),
    set("breaks", base),
    set("fixed", [], "lower", "TypeError: x"),
    set("broken", [], "lower", "TypeError: x"),
    set("gone", base),
    set("ops-up", times(50), "higher"),
  ];
  const after = [
    set("slower", times(1.3)),
    set("faster", times(0.7)),
    set("same", times(1.02)),
    set("noisy", [150, 450, 75, 300]),
    set("breaks", [], "lower", "RangeError: y"),
    set("fixed", base),
    set("broken", [], "lower", "TypeError: x"),
    set("new", base),
    set("ops-up", times(80), "higher"),
  ];
  const rows = compareSamples(before, after);
  const change = Object.fromEntries(rows.map((r) => [r.label, r.change]));
  assert.deepEqual(change, {
    slower: "worse",
    faster: "better",
    same: "unchanged",
    noisy: "not-significant",
    breaks: "newly-failing",
    fixed: "fixed",
    broken: "failing",
    gone: "only-before",
    new: "only-after",
    "ops-up": "better",
  });
  const slower = rows.find((r) => r.label === "slower")!;
  assert.ok(Math.abs(slower.ratio - 1.3) < 1e-9);
  assert.ok(slower.p < 0.01);
  assert.equal(rows.find((r) => r.label === "breaks")!.afterError, "RangeError: y");
  const table = formatComparison(rows);
  assert.match(table, new RegExp(`^\\${MARKERS.worse} .* slower$`, "m"));
  assert.match(table, /^! .*failed.* breaks$/m);
  assert.match(table, /^\* .* fixed$/m);
});

Deno.test("a higher-is-better figure that drops is worse", () => {
  const [row] = compareSamples([set("w", times(50), "higher")], [set("w", times(20), "higher")]);
  assert.equal(row.change, "worse");
});

Deno.test("the threshold and alpha are honoured", () => {
  const before = [set("b", base)];
  const after = [set("b", times(1.08))];
  assert.equal(compareSamples(before, after)[0].change, "unchanged");
  assert.equal(compareSamples(before, after, { threshold: 0.05 })[0].change, "worse");
  assert.equal(
    compareSamples(before, after, { threshold: 0.05, alpha: 1e-12 })[0].change,
    "not-significant",
  );
});

Deno.test("values are printed in readable units", () => {
  assert.equal(formatValue(90, "ns/op"), "90.0 ns/op");
  assert.equal(formatValue(1234, "ns/op"), "1.23 µs/op");
  assert.equal(formatValue(45600, "ops/s"), "45.6k ops/s");
  assert.equal(formatValue(NaN, "ops/s"), "n/a");
});

Deno.test("a shift that the rank test finds but that stays inside the noise is not marked", () => {
  const steady = [97, 98, 99, 100, 100, 101, 102, 103, 99, 101, 100, 98, 102, 100, 99, 101];
  // Half the samples as before, half slowed by a busy neighbour: the median moves by 75%.
  const noisy = [96, 97, 98, 99, 100, 101, 102, 103, 250, 260, 270, 280, 290, 300, 310, 320];
  const [row] = compareSamples([set("b", steady)], [set("b", noisy)]);
  assert.ok(row.ratio > 1.5);
  assert.ok(row.p < 0.05, `the rank test alone would call it (p = ${row.p})`);
  assert.equal(row.change, "not-significant");
  assert.ok(row.after!.q1 <= row.before!.q3);
});
