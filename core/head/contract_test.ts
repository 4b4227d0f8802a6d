/**
 * Compile-time check that the head's `mod.ts` satisfies the contract, plus a smoke test.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { MapleModule } from "../contract.ts";
import * as m from "./mod.ts";

const _m: MapleModule = m;

Deno.test("head: mod.ts satisfies MapleModule", () => {
  const tree = _m.createTree<string>({ allocRange: true });
  tree.store(5, 9, "a");
  assert.equal(tree.load(7), "a");
});
