import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommandFile } from "./test_support.ts";

const CRASH = [
  "--manifest",
  join("bisect", "fixtures", "versions", "crash_history.json"),
  "--layout",
  "cat-self",
  "--seed",
  "1",
  "--no-record",
];

Deno.test("bisect --shard: bad shards and plans that cannot be split get one line and exit 2", async (t) => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      "K from 1",
      ["--exhaustive", "--mode", "crash", "--shard", "0/3"],
      {},
      /--shard 0\/3: shards count from 1, so K is 1 to 3/,
    ],
    [
      "K above N",
      ["--exhaustive", "--mode", "crash", "--shard", "4/3"],
      {},
      /--shard 4\/3: K is more than N/,
    ],
    [
      "not K/N",
      ["--exhaustive", "--mode", "crash", "--shard", "x/y"],
      {},
      /--shard wants K\/N, two whole numbers like 2\/3, got "x\/y"/,
    ],
    [
      "a search",
      ["--mode", "crash", "--shard", "2/3"],
      {},
      /--shard 2\/3 splits an --exhaustive run only: a search cannot be split/,
    ],
    [
      "perf",
      ["--exhaustive", "--shard", "2/3"],
      {},
      /--shard 2\/3 splits the crash matrix only: add --mode crash \(a performance table compares versions, which only samples taken side by side on one machine can do\), or --shard 1\/1/,
    ],
    [
      "perf, from the environment",
      ["--exhaustive"],
      { BUILDKITE_PARALLEL_JOB: "1", BUILDKITE_PARALLEL_JOB_COUNT: "3" },
      /shard 2\/3 \(from BUILDKITE_PARALLEL_JOB\/BUILDKITE_PARALLEL_JOB_COUNT\) splits the crash matrix only/,
    ],
    [
      "conflicting variables",
      ["--exhaustive", "--mode", "crash"],
      { MAPLE_SHARD: "1/3", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" },
      /MAPLE_SHARD says shard 1\/3 but CI_NODE_INDEX\/CI_NODE_TOTAL says 2\/3: unset one, or pass --shard K\/N/,
    ],
    [
      "an index without its count",
      ["--exhaustive", "--mode", "crash"],
      { JOB_COMPLETION_INDEX: "2" },
      /JOB_COMPLETION_INDEX=2 is set but MAPLE_SHARD_COUNT is not/,
    ],
  ];
  for (const [name, args, env, message] of cases) {
    await t.step(name, async () => {
      const ran = await runCommandFile("bisect.ts", [...CRASH, ...args], env);
      assert.equal(ran.code, 2, ran.stderr + ran.stdout);
      assert.match(ran.stderr, new RegExp(`^bisect: ${message.source}`));
      assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
      assert.equal(ran.stdout, "", "nothing ran");
    });
  }
});

Deno.test("bisect --shard: --shard 1/1 runs the whole plan whatever the environment says", async () => {
  const ran = await runCommandFile(
    "bisect.ts",
    [
      ...CRASH,
      "--good",
      "good-a",
      "--bad",
      "good-b",
      "--exhaustive",
      "--mode",
      "crash",
      "--shard",
      "1/1",
    ],
    { CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" },
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /shard 1\/1/);
  assert.match(ran.stdout, /good-a +\. +0\/1\n +good-b +\. +0\/1/);
});

Deno.test("bisect --shard: a search leaves the engines' variables alone", async () => {
  const ran = await runCommandFile(
    "bisect.ts",
    [...CRASH, "--good", "good-c", "--bad", "throws", "--mode", "crash"],
    { JOB_COMPLETION_INDEX: "2", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" },
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /first bad version: throws \(last good: good-c\)/);
});
