import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCommandFile } from "./test_support.ts";

const mutate = (...args: string[]) => runCommandFile("mutate.ts", args);

Deno.test("mutate refuses bad input in one line with exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [[], /^mutate: --version is required/],
    [["--version", "no-such"], /^mutate: unknown version/],
    [["--version", "kernel-6.1"], /^mutate: kernel-6\.1 is a kernel version/],
    [["--version", "head", "--matrix", "huge"], /^mutate: unknown --matrix "huge"/],
    [["--version", "head", "--matrix", "broad", "--ops", "5"], /^mutate: --matrix names a whole/],
    [["--version", "head", "--kinds", "swap"], /^mutate: unknown kind "swap" for --kinds/],
    [["--version", "head", "--max", "0"], /^mutate: --max wants an integer >= 1/],
    [["--version", "head", "--layout", "moon-base"], /^mutate: unknown layout "moon-base"/],
    [["--version", "head", "--min-score", "120"], /^mutate: --min-score wants a percentage/],
    [["--version", "head", "--files", "nosuch.ts"], /^mutate: head has no file nosuch\.ts/],
    [["--version", "head", "--bogus"], /^mutate: Unknown option '--bogus'/],
    [["--version", "head", "--shape-oracle", "no-such"], /^mutate: unknown version "no-such"/],
  ];
  for (const [args, message] of cases) {
    const ran = await mutate(...args);
    assert.equal(ran.code, 2, `${args.join(" ")}: ${ran.stderr}`);
    assert.match(ran.stderr, message, args.join(" "));
    assert.equal(ran.stderr.trim().split("\n").length, 1, `one line for ${args.join(" ")}`);
  }
});

Deno.test("mutate prints the score and the equivalent mutants, and writes a record", async () => {
  const records = mkdtempSync("/tmp/mutate-records-");
  const ran = await mutate(
    "--version",
    "bisect/fixtures/mutable/tree",
    "--layout",
    "cat-self",
    "--seed",
    "1",
    "--ops",
    "2",
    "--shape-oracle",
    "none",
    "--records",
    records,
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /passes 1 of 1 probes/);
  assert.match(ran.stdout, /\[5\/5\]/);
  assert.match(
    ran.stdout,
    /score 100\.0% \(3 killed of 3\); killed 3, survived 0, equivalent-or-timeout 2 \(2 equivalent, 0 timeout\)/,
  );
  const [file] = readdirSync(records);
  assert.match(file, /^mutate-\d{8}T\d{9}Z\.json$/);
  const record = JSON.parse(readFileSync(join(records, file), "utf8"));
  assert.equal(record.kind, "mutate");
  assert.equal(record.report.counts.killed, 3);
  assert.equal(record.report.mutants.length, 5);
  assert.ok(!existsSync(join(records, `${file}.tmp`)));
});
