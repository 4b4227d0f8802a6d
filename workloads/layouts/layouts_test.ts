import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canMerge, VmFlag } from "../vma.ts";
import { fixtureNames, LayoutError, parseMaps, resolveLayout } from "./mod.ts";

Deno.test("the shipped fixtures parse, without the [vsyscall] line", () => {
  assert.deepEqual(fixtureNames(), ["cat-self", "node-self", "python3-self", "stress-ng-main"]);
  const expected: Record<string, number> = {
    "cat-self": 37,
    "node-self": 92,
    "python3-self": 104,
    "stress-ng-main": 167,
  };
  for (const name of fixtureNames()) {
    const { vmas } = resolveLayout(name, 1);
    assert.equal(vmas.length, expected[name], name);
  }
  const cat = resolveLayout("cat-self", 1).vmas;
  assert.equal(cat[0].path, "/usr/bin/cat");
  assert.equal(cat[1].offset, 0x2000);
  assert.equal(cat.find((v) => v.name === "[vdso]")!.flags, VmFlag.special);
});

Deno.test("self reads this process's own map", () => {
  const { vmas } = resolveLayout("self", 1);
  assert.ok(vmas.length > 10);
});

Deno.test("a malformed maps file names the file and the line", () => {
  const good = "55d0c0000000-55d0c0002000 r--p 00000000 fe:00 12 /usr/bin/cat";
  assert.throws(
    () => parseMaps(`${good}\nthis is not a maps line\n`, "bad.maps"),
    (e: Error) => e instanceof LayoutError && e.message.startsWith("bad.maps:2: not a maps line"),
  );
  assert.throws(
    () => parseMaps(`${good}\n55d0c0001000-55d0c0003000 r--p 0 fe:00 12 /x`, "o.maps"),
    /o\.maps:2: .*overlaps/,
  );
  assert.throws(() => parseMaps("1000-1800 r--p 0 0:0 0", "u.maps"), /u\.maps:1: .*page-aligned/);
  assert.throws(() => parseMaps("1000-2000 rq-p 0 0:0 0", "p.maps"), /p\.maps:1: bad permissions/);
  assert.throws(() => parseMaps("\n\n", "e.maps"), /e\.maps: no mappings/);
  const dir = mkdtempSync("/tmp/maps-");
  const path = join(dir, "broken.maps");
  writeFileSync(path, `${good}\nzz\n`);
  assert.throws(() => resolveLayout(path, 1), new RegExp(`${path}:2:`));
  assert.throws(() => resolveLayout("/nonexistent/x.maps", 1), /cannot read layout file/);
  assert.throws(() => resolveLayout("nosuch", 1), /unknown layout "nosuch"/);
  assert.throws(() => resolveLayout("random:vmas", 1), /bad tunable/);
});

Deno.test("generators are deterministic, sorted and have no mergeable neighbours", () => {
  for (const name of ["glibc", "many-libs", "fragmented:pages=3000", "random:vmas=400,gap=0.5"]) {
    const a = resolveLayout(name, 11).vmas;
    const b = resolveLayout(name, 11).vmas;
    const c = resolveLayout(name, 12).vmas;
    assert.deepEqual(a, b, name);
    assert.notDeepEqual(a, c, name);
    for (let i = 1; i < a.length; i++) {
      assert.ok(a[i].start >= a[i - 1].end, `${name} sorted at ${i}`);
      assert.ok(!canMerge(a[i - 1], a[i]), `${name} mergeable neighbours at ${i}`);
    }
  }
  const glibc = resolveLayout("glibc", 3).vmas;
  for (const name of ["[heap]", "[stack]", "[vdso]", "[vvar]"]) {
    assert.ok(glibc.some((v) => v.name === name), name);
  }
  assert.ok(glibc.some((v) => v.path.endsWith("libc.so.6")));
  assert.ok(resolveLayout("many-libs", 3).vmas.length > 500);
  assert.ok(resolveLayout("fragmented:pages=3000", 3).vmas.length > 3000);
});

Deno.test("random's tunables shape the layout", () => {
  const dense = resolveLayout("random:vmas=300,gap=0", 5).vmas;
  assert.equal(dense.length, 300);
  for (let i = 1; i < dense.length; i++) assert.equal(dense[i].start, dense[i - 1].end);
  const aligned = resolveLayout("random:vmas=100,gap=1,align=16", 5).vmas;
  for (const v of aligned) assert.equal(v.start % (16 * 4096), 0);
  const dontcopy = resolveLayout("random:vmas=200,dontcopy=1", 5).vmas;
  assert.ok(dontcopy.every((v) => v.flags & VmFlag.dontcopy));
});

Deno.test("only the [stack] line grows down", () => {
  const vmas = parseMaps(
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 [stack:123]\n" +
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                  [stack]\n" +
      "7ffd00030000-7ffd00032000 r-xp 00000000 00:00 0                  [vdso]\n",
    "stack.maps",
  );
  assert.deepEqual(vmas.map((v) => v.flags), [0, VmFlag.growsdown, VmFlag.special]);
  for (const name of fixtureNames()) {
    const growing = resolveLayout(name, 1).vmas.filter((v) => v.flags & VmFlag.growsdown);
    assert.deepEqual(growing.map((v) => v.name), ["[stack]"], name);
  }
  const glibc = resolveLayout("glibc", 2).vmas.filter((v) => v.flags & VmFlag.growsdown);
  assert.deepEqual(glibc.map((v) => v.name), ["[stack]"]);
});
