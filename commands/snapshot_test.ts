import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runCommandFile } from "./test_support.ts";

Deno.test("snapshot: help, bad input and a refused version, each with its exit code", async () => {
  const manifest = join(ROOT, "core", "manifest.json");
  const before = readFileSync(manifest, "utf8");

  const help = await runCommandFile("snapshot.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: deno task snapshot/);

  const cases: [string[], RegExp][] = [
    [[], /^snapshot: give exactly one version name/],
    [["v9.9.9"], /^snapshot: --summary .* is required$/],
    [["v9.9.9", "--bogus"], /^snapshot: Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const ran = await runCommandFile("snapshot.ts", args);
    assert.equal(ran.code, 2, args.join(" "));
    assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
    assert.match(ran.stderr.trim(), message);
  }

  // An existing version is refused before head's tests run, and nothing is written.
  const summary = "An attempt to overwrite a frozen version, which must be refused.";
  const refused = await runCommandFile("snapshot.ts", ["v1.0.0", "--summary", summary]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr.trim(),
    "snapshot: version v1.0.0 already exists; refusing to overwrite it",
  );
  assert.equal(readFileSync(manifest, "utf8"), before);
});
