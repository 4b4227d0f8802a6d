import assert from "node:assert/strict";
import {
  canMerge,
  formatVma,
  guardedStart,
  makeVma,
  parsePerms,
  permsOf,
  PROT_READ,
  PROT_WRITE,
  slice,
  STACK_GUARD_GAP,
  VmFlag,
} from "./vma.ts";

Deno.test("canMerge needs touching, equal attributes and contiguous file offsets", () => {
  const file = { prot: PROT_READ, path: "/lib/x.so" };
  const a = makeVma({ start: 0x1000, end: 0x3000, ...file, offset: 0 });
  assert.ok(canMerge(a, makeVma({ start: 0x3000, end: 0x4000, ...file, offset: 0x2000 })));
  assert.ok(!canMerge(a, makeVma({ start: 0x3000, end: 0x4000, ...file, offset: 0x5000 })));
  assert.ok(!canMerge(a, makeVma({ start: 0x4000, end: 0x5000, ...file, offset: 0x3000 })));
  const anon = makeVma({ start: 0x3000, end: 0x4000, prot: PROT_READ | PROT_WRITE });
  assert.ok(!canMerge(a, anon));
  const b = makeVma({ start: 0x4000, end: 0x5000, prot: PROT_READ | PROT_WRITE });
  assert.ok(canMerge(anon, b));
  assert.ok(!canMerge(anon, { ...b, flags: VmFlag.dontcopy }));
  assert.ok(!canMerge({ ...anon, flags: VmFlag.special }, { ...b, flags: VmFlag.special }));
});

Deno.test("slice moves the file offset and makeVma rejects bad ranges", () => {
  const v = makeVma({ start: 0x10000, end: 0x20000, path: "/f", offset: 0x1000 });
  const s = slice(v, 0x12000, 0x13000);
  assert.equal(s.offset, 0x3000);
  assert.throws(() => makeVma({ start: 0x1000, end: 0x1000 }), RangeError);
  assert.throws(() => makeVma({ start: 0x1001, end: 0x2000 }), RangeError);
  assert.deepEqual(parsePerms(permsOf(5, true)), { prot: 5, shared: true });
  assert.equal(parsePerms("rwz"), undefined);
  assert.match(formatVma(v), /^00010000-00020000 rw-p 00001000 00:00 0 +\/f$/);
});

Deno.test("guardedStart lowers only a grows-down VMA's start, by the gap, not below 0", () => {
  const plain = makeVma({ start: 0x4000_0000, end: 0x4001_0000 });
  const stack = { ...plain, flags: VmFlag.growsdown };
  assert.equal(guardedStart(plain), plain.start);
  assert.equal(guardedStart(stack), plain.start - STACK_GUARD_GAP);
  assert.equal(guardedStart(stack, 0x2000), plain.start - 0x2000);
  assert.equal(guardedStart({ ...stack, start: 0x8000 }), 0);
  assert.ok(!canMerge(makeVma({ start: 0x3000, end: 0x4000 }), { ...stack, start: 0x4000 }));
});
