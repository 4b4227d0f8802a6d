import assert from "node:assert/strict";
import { killChild, sandboxedRun, spawnDeno, SUITE_ROOT } from "./child.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("a sandboxed entry runs in the suite's root with read and env permissions only", async () => {
  const reads = "data:text/javascript,console.log(Deno.cwd(), Deno.env.get('NO_COLOR'))";
  const ok = await spawnDeno(sandboxedRun(reads, 64, [])).output();
  assert.equal(ok.success, true, text(ok.stderr));
  assert.equal(text(ok.stdout).trim(), `${SUITE_ROOT} 1`);

  const writes = "data:text/javascript,Deno.writeTextFileSync('/tmp/maple-bisect-child-test', '')";
  const refused = await spawnDeno(sandboxedRun(writes, 64, [])).output();
  assert.equal(refused.success, false, "writing is refused, not prompted for");
  assert.match(text(refused.stderr), /NotCapable|PermissionDenied|permission/i);

  const args = sandboxedRun("bisect/load_main.ts", 64, ["core/head"]);
  assert.ok(args.includes("--v8-flags=--max-old-space-size=64"));
  assert.deepEqual(args.slice(-2), ["bisect/load_main.ts", "core/head"]);
});

Deno.test("killChild stops a looping child and shrugs at one already gone", async () => {
  const looping = spawnDeno(["eval", "for (;;) {}"]);
  killChild(looping);
  assert.equal((await looping.output()).signal, "SIGKILL");
  killChild(looping);
});
