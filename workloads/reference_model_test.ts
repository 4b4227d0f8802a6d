import assert from "node:assert/strict";
import { RangeModel } from "./reference_model.ts";

Deno.test("RangeModel store splits, overwrites and erases ranges", () => {
  const m = new RangeModel<string>();
  m.store(10, 19, "a");
  m.store(30, 39, "b");
  m.store(15, 34, "c");
  assert.deepEqual(m.entries().map((e) => [e.first, e.last, e.value]), [
    [10, 14, "a"],
    [15, 34, "c"],
    [35, 39, "b"],
  ]);
  m.store(20, 24, undefined);
  assert.equal(m.load(22), undefined);
  assert.equal(m.load(25), "c");
  assert.equal(m.count(), 4);
  m.store(0, 100, undefined);
  assert.equal(m.count(), 0);
});

Deno.test("RangeModel gap search matches the kernel's check_empty_area_window table", () => {
  // [10i, 10i+9] for i = 1..20 with a hole at 160-169 (facts §2.3).
  const m = new RangeModel<number>();
  for (let i = 1; i <= 20; i++) if (i !== 16) m.store(10 * i, 10 * i + 9, i);
  assert.equal(m.emptyAreaRev(5, 90, 10), undefined);
  assert.deepEqual(m.emptyAreaRev(5, 90, 5), { first: 5, last: 9 });
  assert.deepEqual(m.emptyAreaRev(5, 217, 9), { first: 161, last: 169 });
  assert.deepEqual(m.emptyAreaRev(100, 218, 3), { first: 216, last: 218 });
  assert.equal(m.emptyAreaRev(100, 218, 16), undefined);
  assert.equal(m.emptyAreaRev(167, 200, 4), undefined);
  assert.equal(m.emptyAreaRev(100, 162, 4), undefined);
  assert.deepEqual(m.emptyArea(0, 100, 9), { first: 0, last: 8 });
  assert.equal(m.emptyArea(5, 100, 6), undefined);
  assert.equal(m.emptyArea(0, 8, 10), undefined);
  assert.equal(m.emptyArea(100, 163, 6), undefined);
});

Deno.test("RangeModel.from rejects unsorted entries", () => {
  assert.throws(
    () => RangeModel.from([{ first: 5, last: 9, value: 1 }, { first: 9, last: 12, value: 2 }]),
    RangeError,
  );
});

Deno.test("RangeModel.findFrom gives the covering entry, else the next one up", () => {
  const m = new RangeModel<string>();
  m.store(10, 19, "a");
  m.store(30, 39, "b");
  assert.equal(m.findFrom(0)?.value, "a");
  assert.equal(m.findFrom(15)?.value, "a");
  assert.equal(m.findFrom(20)?.value, "b");
  assert.equal(m.findFrom(40), undefined);
});
