/**
 * The bundled kernel manifests and version folders: each follows its schema, each version
 * folder still matches the hash its manifest records, and each `kernel.json` parses.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { CORE_DIR, KERNEL_MANIFEST_PATH, KERNEL_RELEASES_PATH, readManifest } from "../loader.ts";
import { verifyVersion } from "../snapshot.ts";
import { readKernelConfig } from "./config.ts";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const json = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));
const validManifest = ajv.compile(json(join(CORE_DIR, "manifest.schema.json")) as object);
const validKernelJson = ajv.compile(json(join(CORE_DIR, "kernel", "kernel.schema.json")) as object);

for (const path of [KERNEL_MANIFEST_PATH, KERNEL_RELEASES_PATH]) {
  Deno.test(`kernel manifests: ${path.split("/").at(-1)} follows the schema and its hashes`, () => {
    assert.ok(validManifest(json(path)), JSON.stringify(validManifest.errors));
    const manifest = readManifest(path);
    assert.equal(manifest.head, false, "kernel manifests do not end with head");
    for (const version of manifest.versions) {
      const folder = join(manifest.dir, version.name);
      assert.ok(
        verifyVersion(manifest, version.name),
        `${version.name} no longer matches its hash`,
      );
      const config = json(join(folder, "kernel.json"));
      assert.ok(
        validKernelJson(config),
        `${version.name}: ${JSON.stringify(validKernelJson.errors)}`,
      );
      assert.ok(readKernelConfig(folder).summary.length > 20);
    }
  });
}
