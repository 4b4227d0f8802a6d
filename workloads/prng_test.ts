import assert from "node:assert/strict";
import { Mwc, MWC_DEFAULT_W, MWC_DEFAULT_Z } from "./prng.ts";

/** The recurrence written out independently with BigInt, to check the 32-bit arithmetic. */
function mwcBig(z0: number, w0: number, n: number): number[] {
  let z = BigInt(z0);
  let w = BigInt(w0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    z = (36969n * (z & 0xffffn) + (z >> 16n)) & 0xffffffffn;
    w = (18000n * (w & 0xffffn) + (w >> 16n)) & 0xffffffffn;
    out.push(Number(((z << 16n) + w) & 0xffffffffn));
  }
  return out;
}

Deno.test("Mwc follows stress-ng's recurrence", () => {
  const rng = Mwc.fromState(0x1234, 0x5678_9abc);
  const got = Array.from({ length: 50 }, () => rng.next32());
  assert.deepEqual(got, mwcBig(0x1234, 0x5678_9abc, 50));
  const zero = Mwc.fromState(0, 0);
  assert.deepEqual([zero.next32()], mwcBig(MWC_DEFAULT_Z, MWC_DEFAULT_W, 1));
});

Deno.test("consecutive seeds start with unrelated choices", () => {
  const firstPicks = new Set<number>();
  for (let seed = 1; seed <= 100; seed++) firstPicks.add(new Mwc(seed).below(5));
  assert.equal(firstPicks.size, 5);
  const a = new Mwc(9);
  const b = new Mwc(9);
  assert.deepEqual([a.next32(), a.next32()], [b.next32(), b.next32()]);
});

Deno.test("Mwc helpers stay in range and differ between seeds", () => {
  const rng = new Mwc(42);
  for (let i = 0; i < 2000; i++) {
    const v = rng.between(3, 9);
    assert.ok(v >= 3 && v <= 9 && Number.isInteger(v));
    assert.ok(rng.below(1) === 0);
  }
  const one = new Mwc(1);
  const two = new Mwc(2);
  const a = Array.from({ length: 8 }, () => one.next32());
  assert.notDeepEqual(a, Array.from({ length: 8 }, () => two.next32()));
  assert.deepEqual(new Mwc(5).shuffle([1, 2, 3, 4, 5, 6]), new Mwc(5).shuffle([1, 2, 3, 4, 5, 6]));
  assert.throws(() => new Mwc(-1), RangeError);
});
