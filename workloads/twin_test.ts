import assert from "node:assert/strict";
import { loadVersion } from "../core/loader.ts";
import { compareTwins, contrast } from "./twin.ts";
import { twinMain } from "./twin_main.ts";

const head = (await loadVersion("head")).module;

Deno.test("a version beside itself never differs, over every key space", () => {
  assert.equal(compareTwins(head, head, { seed: 3, ops: 20_000 }), undefined);
});

Deno.test("twins that differ in their allocations are told apart, naming the operation", async () => {
  const old = (await loadVersion("v1.4.0")).module;
  const difference = compareTwins(old, head, { seed: 1, ops: 20_000 });
  assert.ok(difference);
  assert.match(difference.operation, /\((allocation|plain) tree\)$/);
  assert.match(difference.what, /^(allocator|nodeCounts|height|count|.+: )/);
});

Deno.test("long answers are cut to where they part", () => {
  const left = JSON.stringify(Array.from({ length: 100 }, (_, i) => i));
  const right = left.replace("57", "58");
  const text = contrast(left, right);
  assert.ok(text.length < 200, text);
  assert.match(text, /^…[\d,]*,56,57,58,[\d,]*… vs …[\d,]*,56,58,58,[\d,]*…$/);
});

Deno.test("the command line prints one JSON line, and refuses bad arguments", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    assert.equal(await twinMain(["--a", "core/head", "--b", "core/head", "--ops", "500"]), 0);
  } finally {
    console.log = log;
  }
  assert.deepEqual(JSON.parse(lines[0]), { ops: 1000 });
  const error = console.error;
  console.error = () => {};
  try {
    assert.equal(await twinMain(["--a", "core/head"]), 2);
  } finally {
    console.error = error;
  }
});
