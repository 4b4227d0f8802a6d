/**
 * Snapshots: every frozen folder matches its manifest hash, the manifest matches its
 * schema, and freezing refuses what it must (bad name, existing version, failing head).
 *
 * @module
 */

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { CORE_DIR, readManifest } from "./loader.ts";
import { freezeHead, hashFolder, SnapshotError, verifyVersion } from "./snapshot.ts";

const manifest = readManifest();

Deno.test("snapshots: every frozen version still matches its hash", () => {
  assert.ok(manifest.versions.length >= 6);
  for (const v of manifest.versions) {
    assert.ok(verifyVersion(manifest, v.name), `${v.name} was edited after it was frozen`);
  }
});

Deno.test("snapshots: the manifest follows its schema", () => {
  const schema = JSON.parse(readFileSync(join(CORE_DIR, "manifest.schema.json"), "utf8"));
  const data = JSON.parse(readFileSync(join(CORE_DIR, "manifest.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(data), JSON.stringify(validate.errors));
});

/** A scratch core folder: the manifest, the contract and a head copied from the real ones. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "maple-snapshot-"));
  cpSync(join(CORE_DIR, "manifest.json"), join(dir, "manifest.json"));
  cpSync(join(CORE_DIR, "contract.ts"), join(dir, "contract.ts"));
  cpSync(join(CORE_DIR, "head"), join(dir, "head"), { recursive: true });
  return dir;
}

Deno.test("snapshots: a hash changes when a file changes", () => {
  const dir = scratch();
  try {
    const before = hashFolder(join(dir, "head"));
    writeFileSync(join(dir, "head", "extra.ts"), "export const x = 1;\n");
    assert.notEqual(hashFolder(join(dir, "head")), before);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("snapshots: freezing refuses bad names, existing versions and failing heads", async () => {
  const dir = scratch();
  const manifestPath = join(dir, "manifest.json");
  const pass = () => Promise.resolve(true);
  const summary = "A test snapshot made by snapshot_test.ts.";
  try {
    await assert.rejects(
      freezeHead({ name: "1.6", summary, manifestPath, testHead: pass }),
      SnapshotError,
    );
    await assert.rejects(
      freezeHead({ name: "v1.2.0", summary, manifestPath, testHead: pass }),
      /already exists/,
    );
    await assert.rejects(
      freezeHead({ name: "v9.0.0", summary, manifestPath, testHead: () => Promise.resolve(false) }),
      /tests fail/,
    );
    assert.equal(existsSync(join(dir, "v9.0.0")), false);
    const version = await freezeHead({
      name: "v9.0.0",
      summary,
      manifestPath,
      date: "2026-11-27",
      testHead: pass,
    });
    assert.equal(version.parent, manifest.versions.at(-1)?.name);
    const after = readManifest(manifestPath);
    assert.equal(after.versions.at(-1)?.name, "v9.0.0");
    assert.ok(verifyVersion(after, "v9.0.0"));
    assert.equal(existsSync(join(dir, "v9.0.0", "tree.ts")), true);
    assert.equal(existsSync(join(dir, "v9.0.0", "api_test.ts")), false, "tests stay behind");
    await assert.rejects(
      freezeHead({ name: "v9.0.0", summary, manifestPath, testHead: pass }),
      /already exists/,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});
