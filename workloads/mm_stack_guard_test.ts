import assert from "node:assert/strict";
import { resolveLayout } from "./layouts/mod.ts";
import { Mm, MMAP_MIN_ADDR, type MmOptions, TASK_SIZE } from "./mm.ts";
import { Mwc } from "./prng.ts";
import { RangeModel } from "./reference_model.ts";
import {
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
  STACK_GUARD_GAP,
  type Vma,
  VmFlag,
  withFields,
} from "./vma.ts";
import { loadTestModule } from "./test_version.ts";

const module = await loadTestModule();
const RW = PROT_READ | PROT_WRITE;
const P = PAGE_SIZE;
const MIB = 0x10_0000;

function checkedMm(layout: readonly Vma[] = [], options: MmOptions = {}): Mm {
  return Mm.create(module, layout, { checked: true, ...options });
}

/** A grows-down mapping made with MAP_FIXED, as a MAP_GROWSDOWN mmap would make it. */
function stackAt(mm: Mm, start: number, pages = 32): Vma {
  const placed = mm.mmap({
    addr: start,
    length: pages * P,
    prot: RW,
    fixed: true,
    flags: VmFlag.growsdown,
  });
  assert.equal(placed, start);
  return mm.vmas().find((v) => v.start === start)!;
}

/** Every VMA that intrudes into the guard gap below a grows-down VMA, as text. */
function guardIntruders(mm: Mm, gap = STACK_GUARD_GAP): string[] {
  const vmas = mm.vmas();
  const found: string[] = [];
  for (const stack of vmas.filter((v) => v.flags & VmFlag.growsdown)) {
    for (const v of vmas) {
      if (v !== stack && v.end > stack.start - gap && v.end <= stack.start) {
        found.push(
          `${v.start.toString(16)}-${v.end.toString(16)} below ${stack.start.toString(16)}`,
        );
      }
    }
  }
  return found;
}

Deno.test("a top-down search ends exactly at the guard gap below a grows-down VMA", () => {
  assert.equal(STACK_GUARD_GAP, 256 * P, "the kernel's default: 256 pages, 1 MiB");
  const mm = checkedMm();
  const stack = stackAt(mm, mm.mmapBase - 32 * P);
  const a = mm.mmap({ length: 4 * P, prot: RW });
  assert.equal(a, stack.start - STACK_GUARD_GAP - 4 * P, "not right under the stack");
  const b = mm.mmap({ length: 2 * P, prot: PROT_READ });
  assert.equal(b, (a as number) - 2 * P, "the next one goes below the first");
  assert.deepEqual(guardIntruders(mm), []);
  mm.checkAll();
  mm.exit();
});

Deno.test("a hole that fits only inside the guard is passed over for a lower one", () => {
  const mm = checkedMm();
  const stack = stackAt(mm, mm.mmapBase - 32 * P);
  // A blocker from 2 MiB below the stack up to 64 pages below it: the only hole near the
  // stack is those 64 pages, all inside the guard; the next hole down ends at the blocker.
  const blocker = stack.start - 2 * MIB;
  assert.equal(
    mm.mmap({ addr: blocker, length: 2 * MIB - 64 * P, prot: PROT_READ, fixed: true }),
    blocker,
  );
  const a = mm.mmap({ length: 8 * P, prot: RW });
  assert.equal(a, blocker - 8 * P, "the search went on below the blocker");
  assert.notEqual(a, stack.start - 8 * P, "the old, guard-free answer");
  assert.equal(guardIntruders(mm).length, 1, "only the MAP_FIXED blocker is in the guard");
  mm.checkAll();
  mm.exit();
});

Deno.test("the bottom-up fallback skips past a stack whose guard it would touch", () => {
  const mm = checkedMm();
  const base = mm.mmapBase;
  // Fill everything below the mmap base so the top-down search fails.
  const filler = base - MMAP_MIN_ADDR;
  assert.equal(
    mm.mmap({ addr: MMAP_MIN_ADDR, length: filler, prot: 0, fixed: true }),
    MMAP_MIN_ADDR,
  );
  const stack = stackAt(mm, base + 64 * P);
  const a = mm.mmap({ length: 4 * P, prot: RW });
  assert.equal(a, stack.end, "the first free area above the stack, not the guard below it");
  mm.checkAll();
  mm.exit();
  const without = checkedMm([], { stackGuardGap: 0 });
  without.mmap({ addr: MMAP_MIN_ADDR, length: filler, prot: 0, fixed: true });
  stackAt(without, base + 64 * P);
  assert.equal(without.mmap({ length: 4 * P, prot: RW }), base, "no guard: the lowest area");
  without.exit();
});

Deno.test("MAP_FIXED may map inside the guard gap; a hint there is not honoured", () => {
  const mm = checkedMm();
  const stack = stackAt(mm, mm.mmapBase - 32 * P);
  const inGap = stack.start - 4 * P;
  assert.equal(mm.mmap({ addr: inGap, length: 4 * P, prot: RW, fixed: true }), inGap);
  assert.equal(
    mm.mmap({ addr: inGap - 4 * P, length: 4 * P, prot: RW, noReplace: true }),
    inGap - 4 * P,
  );
  assert.equal(mm.munmap(inGap - 4 * P, 8 * P), undefined);
  const hinted = mm.mmap({ addr: inGap, length: 4 * P, prot: RW });
  assert.notEqual(hinted, inGap, "a hint inside the guard falls back to the search");
  assert.equal(hinted, stack.start - STACK_GUARD_GAP - 4 * P);
  const edge = stack.start - STACK_GUARD_GAP - 64 * P;
  assert.equal(mm.mmap({ addr: edge, length: 4 * P, prot: RW }), edge, "ends below the guard");
  mm.checkAll();
  mm.exit();
});

Deno.test("a process's [stack] grows down and keeps its guard against hints", () => {
  const layout = resolveLayout("node-self", 1).vmas;
  const stack = layout.find((v) => v.name === "[stack]")!;
  assert.ok(stack.flags & VmFlag.growsdown, "[stack] from maps grows down");
  assert.ok(layout.filter((v) => v.flags & VmFlag.growsdown).length === 1);
  const glibc = resolveLayout("glibc", 4).vmas;
  assert.ok(glibc.find((v) => v.name === "[stack]")!.flags & VmFlag.growsdown);
  const mm = checkedMm(layout);
  const hint = stack.start - 16 * P;
  const free = mm.vmas().every((v) => v.end <= hint || v.start >= stack.start);
  assert.ok(free, "node-self has room right under its stack");
  const hinted = mm.mmap({ addr: hint, length: 16 * P, prot: RW });
  assert.notEqual(hinted, hint);
  assert.equal(mm.mmap({ addr: hint, length: 16 * P, prot: RW, fixed: true }), hint);
  mm.checkAll();
  mm.exit();
});

Deno.test("random searches never end inside a guard gap, and stacks still leave room", () => {
  for (const seed of [1, 2, 3]) {
    const rng = new Mwc(seed);
    const mm = checkedMm();
    // Stacks a few MiB apart right under the mmap base, so the searches keep meeting them.
    const stacks: Vma[] = [];
    for (let i = 1; i <= 4; i++) stacks.push(stackAt(mm, mm.mmapBase - i * 3 * MIB, 8));
    const mapped: { addr: number; length: number }[] = [];
    for (let step = 0; step < 400; step++) {
      if (mapped.length > 0 && rng.chance(0.3)) {
        const victim = mapped.splice(rng.below(mapped.length), 1)[0];
        assert.equal(mm.munmap(victim.addr, victim.length), undefined);
        continue;
      }
      const length = rng.between(1, 96) * P;
      const near = rng.pick(stacks).start - rng.between(0, 300) * P;
      const addr = mm.mmap({ addr: rng.chance(0.5) ? near : undefined, length, prot: RW });
      assert.equal(typeof addr, "number", `seed ${seed} step ${step}: ${addr}`);
      mapped.push({ addr: addr as number, length });
      assert.deepEqual(guardIntruders(mm), [], `seed ${seed} step ${step}`);
    }
    assert.ok(
      mapped.some((m) => stacks.some((s) => m.addr + m.length === s.start - STACK_GUARD_GAP)),
      "some search used the space right at a guard's edge",
    );
    mm.checkAll();
    mm.exit();
  }
});

/** The placement rule before the guard gap existed: the plain gap searches. */
function guardFreePlacement(mm: Mm, length: number, hint?: number): number | undefined {
  const model = RangeModel.from(
    mm.vmas().map((v) => ({ first: v.start, last: v.end - 1, value: v })),
  );
  if (
    hint !== undefined && hint + length <= TASK_SIZE &&
    model.entries(hint, hint + length - 1).length === 0
  ) {
    return hint;
  }
  return model.emptyAreaRev(MMAP_MIN_ADDR, mm.mmapBase - 1, length)?.first ??
    model.emptyArea(mm.mmapBase, TASK_SIZE - 1, length)?.first;
}

Deno.test("without a grows-down VMA, placement is the plain gap search as before", () => {
  const plain = resolveLayout("random:vmas=400,gap=0.6,maxGap=8,base=0x7f0000000000", 9).vmas;
  const unflagged = resolveLayout("glibc", 9).vmas.map((v) =>
    v.flags & VmFlag.growsdown ? withFields(v, { flags: v.flags & ~VmFlag.growsdown }) : v
  );
  for (const layout of [plain, unflagged]) {
    assert.ok(layout.every((v) => (v.flags & VmFlag.growsdown) === 0));
    const rng = new Mwc(5);
    const mm = checkedMm(layout);
    const top = mm.mmapBase;
    let searched = 0;
    for (let step = 0; step < 300; step++) {
      const length = rng.between(1, 12) * P;
      const hint = rng.chance(0.3) ? top - rng.between(1, 2000) * P : undefined;
      const want = guardFreePlacement(mm, length, hint);
      const got = mm.mmap({ addr: hint, length, prot: rng.pick([RW, PROT_READ]) });
      assert.equal(got, want, `step ${step}`);
      if (hint === undefined) searched++;
      if (rng.chance(0.4)) mm.munmap(got as number, length);
    }
    assert.ok(searched > 100);
    mm.checkAll();
    mm.exit();
  }
});

Deno.test("a grows-down VMA does not merge with plain anonymous memory beside it", () => {
  const mm = checkedMm();
  const stack = stackAt(mm, mm.mmapBase - 32 * P);
  mm.mmap({ addr: stack.start - P, length: P, prot: RW, fixed: true });
  assert.equal(mm.mapCount, 2);
  const grown = mm.mmap({
    addr: stack.start - 2 * P,
    length: P,
    prot: RW,
    fixed: true,
    flags: VmFlag.growsdown,
  });
  assert.equal(grown, stack.start - 2 * P);
  assert.equal(mm.mapCount, 3);
  mm.checkAll();
  mm.exit();
});

Deno.test("brk stops a page short of the next mapping, and short of a stack's guard gap", () => {
  const mm = checkedMm([]);
  const heap = mm.vmas().find((v) => v.name === "[heap]");
  const brkEnd = heap ? heap.end : mm.brkEnd;
  const wall = brkEnd + 16 * P;
  assert.equal(mm.mmap({ addr: wall, length: P, prot: RW, fixed: true }), wall);
  assert.equal(mm.brk(wall), "ENOMEM");
  assert.equal(mm.brk(wall - P), wall - P);
  assert.equal(mm.brk(brkEnd), brkEnd);
  mm.munmap(wall, P);
  const stack = stackAt(mm, brkEnd + 2 * MIB);
  assert.equal(mm.brk(stack.start - MIB), "ENOMEM");
  assert.equal(mm.brk(stack.start - MIB - P), stack.start - MIB - P);
  mm.checkAll();
  mm.exit();
});
