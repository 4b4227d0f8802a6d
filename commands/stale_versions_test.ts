import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORE_DIR } from "../core/loader.ts";
import { staleVersions } from "./stale_versions.ts";
import { runCommandFile } from "./test_support.ts";

Deno.test("an edited frozen version is warned about, and refused with --strict", async () => {
  const dir = mkdtempSync(join(tmpdir(), "maple-stale-"));
  try {
    cpSync(join(CORE_DIR, "manifest.json"), join(dir, "manifest.json"));
    cpSync(join(CORE_DIR, "contract.ts"), join(dir, "contract.ts"));
    cpSync(join(CORE_DIR, "v1.1.0"), join(dir, "v1.1.0"), { recursive: true });
    const manifest = join(dir, "manifest.json");
    assert.deepEqual(staleVersions(["v1.1.0"], manifest), []);
    writeFileSync(join(dir, "v1.1.0", "extra.ts"), "export const edited = true;\n");
    assert.deepEqual(staleVersions(["v1.1.0", "head"], manifest), ["v1.1.0"]);
    const args = ["--manifest", manifest, "--version", "v1.1.0", "--layout", "random:vmas=8"];
    const warned = await runCommandFile("probe.ts", args);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /probe: warning: v1\.1\.0 no longer matches its manifest hash/);
    const refused = await runCommandFile("probe.ts", [...args, "--strict"]);
    assert.equal(refused.code, 128);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(refused.stderr, /--strict refuses to run it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
