import assert from "node:assert/strict";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import { type Ran, runCommandFile } from "./test_support.ts";

const FIXTURES = "./bisect/fixtures/versions";

function probe(args: string[]): Promise<Ran> {
  return runCommandFile("probe.ts", ["--time-limit", "3000", "--memory-limit", "64", ...args]);
}

Deno.test("probe: exit codes follow git bisect run", async (t) => {
  const one = ["--layout", "cat-self", "--seed", "1"];
  const cases: [string, string[], number, RegExp][] = [
    ["good", ["--version", `${FIXTURES}/good-a`, ...one], 0, /good: 1 probes/],
    [
      "bad (crash)",
      ["--version", `${FIXTURES}/throws`, ...one],
      1,
      /TypeError[\s\S]*reproduce: deno task stress/,
    ],
    ["bad (hang)", ["--version", `${FIXTURES}/loops`, ...one], 1, /^hang/m],
    [
      "skip (type check)",
      ["--version", `${FIXTURES}/broken-types`],
      125,
      /skip: does not type-check/,
    ],
    ["skip (load)", ["--version", `${FIXTURES}/broken-load`], 125, /skip: does not load/],
  ];
  for (const [name, args, code, pattern] of cases) {
    await t.step(name, async () => {
      const ran = await probe(args);
      assert.equal(ran.code, code, ran.stdout + ran.stderr);
      assert.match(ran.stdout, pattern);
    });
  }
});

Deno.test("probe: bad arguments abort git bisect run (128) with one line", async () => {
  const cases: [string[], RegExp][] = [
    [["--version", "no-such-version"], /unknown version/],
    [["--stressor", "teleport"], /teleport/],
    [["--repeat", "0"], /--repeat wants an integer >= 1, got "0"/],
    [["--repeat", "-1"], /--repeat wants an integer >= 1, got "-1"/],
    [["--seed", "-1"], /--seed wants an integer >= 0, got "-1"/],
    [["--layout", "random:foo=1"], /unknown tunable "foo" \(random takes vmas, /],
    [["--bogus"], /bogus/],
    [["--shape-oracle", "moon-6.1"], /--shape-oracle: unknown version "moon-6\.1"/],
  ];
  for (const [args, message] of cases) {
    const ran = await probe(args);
    assert.equal(ran.code, 128, args.join(" "));
    assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
    assert.match(ran.stderr, message);
  }
});

Deno.test("probe --baseline: bad when slower beyond the threshold, good when alike", async () => {
  const perf = ["--perf-layout", "glibc", "--perf-ops", "60", "--samples", "5"];
  const slow = await probe([
    "--version",
    `${FIXTURES}/slow`,
    "--baseline",
    `${FIXTURES}/good-a`,
    ...perf,
  ]);
  assert.equal(slow.code, 1, slow.stdout + slow.stderr);
  assert.match(slow.stdout, /%stddev +%change +%stddev/);
  const same = await probe([
    "--version",
    `${FIXTURES}/good-b`,
    "--baseline",
    `${FIXTURES}/good-a`,
    ...perf,
  ]);
  assert.equal(same.code, 0, same.stdout + same.stderr);
});

const kernel = kernelTestGate("kernel-6.1");

Deno.test({
  name:
    "probe --shape-oracle: a tree that grows unlike the kernel's is bad, and says how to redo it",
  ignore: kernel.skip,
  async fn() {
    kernel.require();
    const args = ["--stressor", "mmap", "--layout", "random:vmas=150,gap=0.7", "--ops", "20"];
    const plain = await probe(["--version", "v1.3.0", "--seed", "1", ...args]);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    const ran = await probe([
      "--version",
      "v1.3.0",
      "--seed",
      "1",
      ...args,
      "--shape-oracle",
      "kernel-6.1",
    ]);
    assert.equal(ran.code, 1, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /ShapeMismatchError: shape differs from kernel-6\.1 after /);
    assert.match(ran.stdout, /reproduce: deno task stress .* --verify --shape-oracle kernel-6\.1/);
  },
});
