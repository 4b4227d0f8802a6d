import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runCommandFile } from "./test_support.ts";

const fuzz = (...args: string[]) => runCommandFile("fuzz.ts", args);

Deno.test("fuzz --layout refuses a layout it cannot read in one line with exit 1", async () => {
  for (
    const [args, message] of [
      [["--layout", "/nonexistent.maps"], /^fuzz: cannot read layout file \/nonexistent\.maps/],
      [["--layout", "moon-base"], /^fuzz: unknown layout "moon-base"/],
    ] as const
  ) {
    const ran = await fuzz("--version", "head", ...args);
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, message);
    assert.equal(ran.stderr.trim().split("\n").length, 1);
  }
});

Deno.test("fuzz --layout searches near a real map: v1.2.0's seed bug, found and shrunk", async () => {
  const out = mkdtempSync("/tmp/fuzz-near-");
  const ran = await fuzz(
    "--version",
    "v1.2.0",
    "--stressor",
    "fork",
    "--layout",
    "workloads/layouts/fixtures/cat-self.maps",
    "--time",
    "120s",
    "--shrink",
    "--out",
    out,
  );
  assert.equal(ran.code, 2, ran.stderr);
  assert.match(ran.stdout, /^fuzz: near cat-self\.maps \(37 VMAs\)$/m);
  assert.match(
    ran.stdout,
    /\(cat-self\.maps\+\d edits?, \d+ VMAs, \d+ operations\): crash fillNode/,
  );
  assert.match(ran.stdout, /fuzz: shrunk \d+ -> \d+ VMAs/);
  const files = readdirSync(out).sort();
  assert.equal(files.length, 2);
  assert.ok(existsSync(join(out, files.find((f) => f.endsWith("-shrunk.json"))!)));
});
