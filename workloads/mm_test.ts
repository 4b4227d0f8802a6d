import assert from "node:assert/strict";
import { MapleInvariantError } from "../core/contract.ts";
import { DifferentialMismatchError, LeakError, NodeAccountingError } from "./check_errors.ts";
import { withFaults } from "./fault_injection.ts";
import { resolveLayout } from "./layouts/mod.ts";
import { LOW32_END, LOW32_START, Mm, MMAP_MIN_ADDR } from "./mm.ts";
import { makeVma, PAGE_SIZE, PROT_READ, PROT_WRITE, VmFlag } from "./vma.ts";
import { loadTestModule } from "./test_version.ts";

const module = await loadTestModule();
const RW = PROT_READ | PROT_WRITE;
const P = PAGE_SIZE;

function fresh(layout = resolveLayout("cat-self", 1).vmas, maxMapCount?: number): Mm {
  return Mm.create(module, layout, { checked: true, maxMapCount });
}

function ranges(mm: Mm, from: number, to: number): string[] {
  return mm.vmas().filter((v) => v.start >= from && v.end <= to).map((v) =>
    `${(v.start - from) / P}-${(v.end - from) / P}:${v.prot}`
  );
}

Deno.test("mmap places top-down below the mmap base, honours hints and fixed", () => {
  const mm = fresh();
  const a = mm.mmap({ length: 3 * P, prot: RW });
  const b = mm.mmap({ length: P, prot: PROT_READ });
  assert.equal(typeof a, "number");
  assert.equal(b, (a as number) - P, "the next mapping goes right below");
  assert.ok((a as number) + 3 * P <= mm.mmapBase);
  const hint = 0x1000_0000;
  assert.equal(mm.mmap({ addr: hint, length: P, prot: RW }), hint);
  assert.equal(mm.mmap({ addr: hint, length: P, prot: RW, noReplace: true }), "EEXIST");
  assert.equal(mm.mmap({ addr: hint, length: 2 * P, prot: PROT_READ, fixed: true }), hint);
  assert.equal(mm.vmas().find((v) => v.start === hint)?.prot, PROT_READ);
  assert.equal(mm.mmap({ addr: 0x123, length: P, prot: RW, fixed: true }), "EINVAL");
  assert.equal(mm.mmap({ length: 0, prot: RW }), "EINVAL");
  mm.checkAll();
  mm.exit();
});

Deno.test("adjacent compatible mappings merge; munmap splits at the edges", () => {
  const mm = fresh([]);
  const base = 0x2000_0000;
  mm.mmap({ addr: base, length: 4 * P, prot: RW, fixed: true });
  mm.mmap({ addr: base + 4 * P, length: 4 * P, prot: RW, fixed: true });
  assert.equal(mm.mapCount, 1, "merged with the left neighbour");
  mm.mmap({ addr: base - 2 * P, length: 2 * P, prot: RW, fixed: true });
  assert.equal(mm.mapCount, 1, "merged with the right neighbour");
  assert.equal(mm.munmap(base + P, 2 * P), undefined);
  assert.deepEqual(ranges(mm, base - 2 * P, base + 8 * P), ["0-3:3", "5-10:3"]);
  mm.mmap({ addr: base + P, length: 2 * P, prot: RW, fixed: true });
  assert.equal(mm.mapCount, 1, "the hole filled merges both sides");
  mm.checkAll();
  mm.exit();
});

Deno.test("mprotect splits and merges back", () => {
  const mm = fresh([]);
  const base = 0x3000_0000;
  mm.mmap({ addr: base, length: 8 * P, prot: RW, fixed: true });
  assert.equal(mm.mprotect(base + 2 * P, 2 * P, PROT_READ), undefined);
  assert.deepEqual(ranges(mm, base, base + 8 * P), ["0-2:3", "2-4:1", "4-8:3"]);
  assert.equal(mm.mprotect(base + 2 * P, 2 * P, RW), undefined);
  assert.deepEqual(ranges(mm, base, base + 8 * P), ["0-8:3"]);
  assert.equal(mm.mprotect(base + 6 * P, 4 * P, RW), "ENOMEM", "part of the range is unmapped");
  assert.equal(mm.madvise(base, P, VmFlag.dontcopy, true), undefined);
  assert.equal(mm.mapCount, 2);
  mm.checkAll();
  mm.exit();
});

Deno.test("mremap shrinks, grows in place and moves", () => {
  const mm = fresh([]);
  const base = 0x4000_0000;
  mm.mmap({ addr: base, length: 4 * P, prot: RW, fixed: true });
  assert.equal(mm.mremap(base, 4 * P, 2 * P, false), base);
  assert.deepEqual(ranges(mm, base, base + 8 * P), ["0-2:3"]);
  assert.equal(mm.mremap(base, 2 * P, 6 * P, false), base, "grows in place");
  mm.mmap({ addr: base + 6 * P, length: P, prot: PROT_READ, fixed: true });
  assert.equal(mm.mremap(base, 6 * P, 8 * P, false), "ENOMEM", "blocked and may not move");
  const moved = mm.mremap(base, 6 * P, 8 * P, true);
  assert.equal(typeof moved, "number");
  assert.notEqual(moved, base);
  assert.equal(mm.vmas().find((v) => v.start === moved)?.end, (moved as number) + 8 * P);
  assert.equal(mm.mremap(0x5000_0000, P, 2 * P, true), "EFAULT");
  const target = 0x6000_0000;
  assert.equal(mm.mremap(moved as number, 8 * P, 2 * P, true, target), target);
  mm.checkAll();
  mm.exit();
});

Deno.test("brk grows the heap by merging and shrinks it by unmapping", () => {
  const mm = fresh();
  const heap = mm.vmas().find((v) => v.name === "[heap]")!;
  const before = mm.mapCount;
  assert.equal(mm.brk(heap.end + 3 * P), heap.end + 3 * P);
  assert.equal(mm.mapCount, before);
  assert.equal(mm.vmas().find((v) => v.name === "[heap]")!.end, heap.end + 3 * P);
  assert.equal(mm.brk(heap.end + P), heap.end + P);
  assert.equal(mm.brk(heap.start - P), "EINVAL");
  mm.checkAll();
  mm.exit();
});

Deno.test("fork copies all but DONTCOPY VMAs; the child lives on its own", () => {
  const mm = fresh();
  const libc = mm.vmas().find((v) => v.path.endsWith("libc.so.6"))!;
  mm.madvise(libc.start, libc.end - libc.start, VmFlag.dontcopy, true);
  const child = mm.fork();
  assert.equal(child.mapCount, mm.mapCount - 1);
  assert.ok(!child.vmas().some((v) => v.start === libc.start));
  child.checkAll();
  child.munmap(child.vmas()[0].start, P);
  assert.notEqual(child.vmas()[0].start, mm.vmas()[0].start);
  mm.checkAll();
  child.exit();
  const shared = mm.clone(true);
  assert.equal(shared, mm);
  shared.exit();
  assert.ok(!mm.exited, "the mm outlives a user that shared it");
  mm.exit();
  assert.ok(mm.exited);
});

Deno.test("vm.max_map_count is enforced with ENOMEM", () => {
  const mm = fresh([], 10);
  const base = 0x7000_0000;
  for (let i = 0; i < 10; i++) {
    assert.equal(
      typeof mm.mmap({ addr: base + 2 * i * P, length: P, prot: RW, fixed: true }),
      "number",
    );
  }
  assert.equal(mm.mmap({ length: P, prot: RW }), "ENOMEM");
  assert.equal(mm.mapCount, 10);
  assert.equal(mm.munmap(base + 2 * P, P), undefined, "a whole-VMA unmap needs no split");
  assert.equal(mm.mapCount, 9);
  assert.equal(
    mm.mmap({ addr: base + 2 * P, length: 3 * P, prot: PROT_READ, fixed: true }),
    base + 2 * P,
  );
  assert.equal(
    mm.mmap({ addr: base + 40 * P, length: P, prot: PROT_READ, fixed: true }),
    base + 40 * P,
  );
  assert.equal(mm.mapCount, 10);
  assert.equal(mm.munmap(base + 3 * P, P), "ENOMEM", "a middle split would exceed the limit");
  assert.equal(mm.mprotect(base + 3 * P, P, RW), "ENOMEM");
  mm.checkAll();
  mm.exit();
});

Deno.test("a tree that answers wrongly is caught by the differential check", () => {
  const liar = withFaults(module, { loadHides: (i) => i === 0x2000_0000 + 4 * P - 1 });
  const mm = Mm.create(liar, [], { checked: true });
  mm.mmap({ addr: 0x2000_0000, length: 4 * P, prot: RW, fixed: true });
  assert.throws(
    () => mm.mmap({ addr: 0x2000_0000 + 4 * P, length: 4 * P, prot: RW, fixed: true }),
    DifferentialMismatchError,
  );
});

Deno.test("leaks, broken invariants and bad dup accounting raise their own errors", () => {
  const leaky = Mm.create(withFaults(module, { leakAfterClear: 3 }), [], {});
  assert.throws(() => leaky.exit(), (e: Error) => e instanceof LeakError && e.live === 3);
  const broken = withFaults(module, {
    validateFails: () => new MapleInvariantError("gap", "root/0", 2, "injected"),
  });
  assert.throws(
    () => Mm.create(broken, [makeVma({ start: MMAP_MIN_ADDR, end: 0x20000 })]).checkAll(),
    MapleInvariantError,
  );
  const overdrawn = withFaults(module, {
    dupReport: { strategy: "bulk", expectedEntries: 0, promised: 5, taken: 5, extra: 2 },
  });
  assert.throws(() => Mm.create(overdrawn, []).fork(), NodeAccountingError);
  const overfull = withFaults(module, {
    dupReport: { strategy: "bulk", expectedEntries: 0, promised: 5, taken: 9, extra: 0 },
    nodeTotal: 6,
  });
  assert.throws(() => Mm.create(overfull, []).fork(), /tree of 6 nodes from a promise of 5/);
  const recycled = withFaults(module, {
    dupReport: { strategy: "bulk", expectedEntries: 0, promised: 5, taken: 9, extra: 0 },
    nodeTotal: 5,
  });
  Mm.create(recycled, []).fork();
  const miscounted = withFaults(module, {
    dupReport: { strategy: "structural", expectedEntries: 2, promised: 0, taken: 0, extra: 0 },
  });
  assert.throws(
    () => Mm.create(miscounted, []).fork(),
    /structural dup reports 2 entries of a source of 0/,
  );
});

Deno.test("a write that keeps nodes it does not use, or returns the wrong old value, is caught", () => {
  const vmas = [makeVma({ start: 0x2000_0000, end: 0x2000_0000 + 4 * P })];
  const hoarder = withFaults(module, { liveExtra: 1 });
  assert.throws(
    () => Mm.create(hoarder, vmas, { checked: true }),
    /2 nodes are live but the tree has 1 \(store over 20000000-20003fff during /,
  );
  Mm.create(hoarder, vmas, {}); // unchecked runs leave it to exit()
  const forgetful = withFaults(module, { storeReturnsNothing: true });
  const mm = Mm.create(forgetful, vmas, { checked: true });
  assert.throws(
    () => mm.mprotect(0x2000_0000, P, PROT_READ),
    /returned nothing, but the VMA 20000000-20004000 covered 20000000/,
  );
});

Deno.test("MAP_32BIT maps bottom-up in the second GiB, round the VMAs there", () => {
  const mm = Mm.create(module, [], { checked: true });
  assert.equal(mm.mmap({ length: 2 * P, prot: RW, low32: true }), LOW32_START);
  assert.equal(mm.mmap({ length: P, prot: PROT_READ, low32: true }), LOW32_START + 2 * P);
  mm.munmap(LOW32_START, P);
  // The hole at the window's very start fits one page exactly, and is taken first.
  assert.equal(mm.mmap({ length: P, prot: PROT_READ, low32: true }), LOW32_START);
  assert.equal(mm.mmap({ length: 2 * P, prot: RW }) !== undefined, true);
  const full = mm.mmap({ length: LOW32_END - LOW32_START, prot: RW, low32: true });
  assert.equal(full, "ENOMEM");
  mm.checkAll();
});
