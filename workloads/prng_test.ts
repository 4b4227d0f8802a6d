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

Deno.test("Mwc follows stress-ng's recurrence and seed split", () => {
  const seed = 0x1234_5678_9abc;
  const rng = new Mwc(seed);
  const got = Array.from({ length: 50 }, () => rng.next32());
  assert.deepEqual(got, mwcBig(0x1234, 0x5678_9abc, 50));
});

Deno.test("Mwc replaces a zero seed half by stress-ng's constant", () => {
  const rng = new Mwc(7);
  assert.deepEqual([rng.next32(), rng.next32()], mwcBig(MWC_DEFAULT_Z, 7, 2));
  const zero = new Mwc(0);
  assert.deepEqual([zero.next32()], mwcBig(MWC_DEFAULT_Z, MWC_DEFAULT_W, 1));
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
