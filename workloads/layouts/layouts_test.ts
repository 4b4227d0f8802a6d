import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canMerge, VmFlag } from "../vma.ts";
import {
  fixtureNames,
  GENERATOR_TUNABLES,
  GENERATORS,
  LayoutError,
  parseMaps,
  resolveLayout,
} from "./mod.ts";

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

/** The one-line message `resolveLayout(name)` refuses `name` with. */
function refusal(name: string): string {
  try {
    resolveLayout(name, 1);
  } catch (error) {
    assert.ok(error instanceof LayoutError, `${name}: ${error}`);
    assert.ok(!error.message.includes("\n"), error.message);
    return error.message;
  }
  assert.fail(`${name} was accepted`);
}

Deno.test("every generator's tunables are checked by range, naming the key", () => {
  assert.deepEqual(Object.keys(GENERATOR_TUNABLES).sort(), Object.keys(GENERATORS).sort());
  assert.equal(
    refusal("random:vmas=-1"),
    'layout "random:vmas=-1": vmas wants an integer from 1 to 1000000, got "-1"',
  );
  for (const [generator, tunables] of Object.entries(GENERATOR_TUNABLES)) {
    for (const [key, t] of Object.entries(tunables)) {
      assert.ok(t.fallback >= t.min && t.fallback <= t.max, `${generator} ${key} default`);
      const below = t.min - (t.integer ? 1 : 0.5);
      const above = t.max + (t.integer ? 1 : 0.5);
      for (const bad of [below, above, -1]) {
        if (bad >= t.min && bad <= t.max) continue;
        const message = refusal(`${generator}:${key}=${bad}`);
        assert.match(message, new RegExp(`: ${key} wants an? (integer|number) from `), message);
        assert.ok(message.endsWith(`got "${bad}"`), message);
      }
      if (t.integer) {
        assert.match(refusal(`${generator}:${key}=${t.min + 0.5}`), /wants an integer/);
      }
    }
  }
  assert.match(refusal("random:base=4096"), /base wants an integer from 0x10000 to 0x7fffffffe000/);
  assert.match(refusal("random:vmas="), /bad tunable "vmas="/);
  assert.match(refusal("random:vmas=5,vmas=6"), /tunable "vmas" given twice/);
  assert.match(
    refusal("random:vmas=1000,maxGap=1000000,align=4096"),
    /random layout may reach 0x[0-9a-f]+, past the user address space \(0x7ffffffff000\)/,
  );
  // Within range, the numbers as the fuzzer and the bisect matrix write them still work.
  assert.equal(resolveLayout("random:vmas=1,gap=0,dontcopy=0", 1).vmas.length, 1);
  assert.ok(resolveLayout("random:vmas=400,gap=0.6,maxGap=8,base=0x7f0000000000", 1).vmas.length);
  assert.ok(resolveLayout("fragmented:pages=16,gaps=0", 1).vmas.length > 16);
  assert.ok(resolveLayout("glibc:libs=0,threads=0", 1).vmas.length > 0);
});

Deno.test("an unknown tunable is refused with the keys its generator takes", () => {
  assert.equal(
    refusal("random:foo=1"),
    'layout "random:foo=1": unknown tunable "foo" ' +
      "(random takes vmas, align, maxPages, gap, maxGap, dontcopy, base)",
  );
  assert.match(refusal("glibc:vmas=3"), /unknown tunable "vmas" \(glibc takes libs, threads\)/);
  assert.match(refusal("many-libs:pages=3"), /\(many-libs takes libs, threads\)/);
  assert.match(refusal("fragmented:libs=3"), /\(fragmented takes pages, gaps\)/);
  assert.match(refusal("random:maxpages=3"), /unknown tunable "maxpages"/);
  assert.match(refusal("random:constructor=1"), /unknown tunable "constructor"/);
});
