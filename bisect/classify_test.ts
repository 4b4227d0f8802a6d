import assert from "node:assert/strict";
import { type ChildExit, classifyExit, lastResultLine } from "./classify.ts";

const exit = (over: Partial<ChildExit>): ChildExit => ({
  code: 0,
  signal: null,
  timedOut: false,
  memoryExceeded: false,
  stdout: "",
  stderr: "",
  ...over,
});

const result = (outcome: string, failure?: object) =>
  JSON.stringify({
    spec: { version: "v", stressor: "fork", layout: "glibc", seed: 1, ops: 1, verify: true },
    outcome,
    bogoOps: 1,
    elapsedMs: 1,
    opsPerSecond: 1000,
    digest: "ab",
    layoutVmas: 3,
    ...(failure ? { failure } : {}),
  });

Deno.test("classifyExit: the child's own verdict is kept, with its evidence", () => {
  const failure = {
    kind: "MapleInvariantError",
    message: "gap",
    frames: ["f (a.ts:1)"],
    atOp: 2,
    operation: "fork",
  };
  const c = classifyExit(
    exit({ stdout: `noise from the version\n${result("invalid", failure)}\n` }),
  );
  assert.equal(c.outcome, "invalid");
  assert.deepEqual(c.failure, failure);
  assert.equal(classifyExit(exit({ stdout: result("pass") })).outcome, "pass");
});

Deno.test("classifyExit: time limit wins, then memory, then signals", () => {
  assert.equal(
    classifyExit(exit({ timedOut: true, signal: "SIGKILL", code: null }), 500).failure?.message
      .includes("500 ms"),
    true,
  );
  assert.equal(
    classifyExit(exit({ timedOut: true, signal: "SIGKILL", code: null })).outcome,
    "hang",
  );
  const oom = classifyExit(
    exit({
      code: null,
      signal: "SIGTRAP",
      stderr: "\n#\n# Fatal JavaScript out of memory: Reached heap limit\n#",
    }),
    0,
    64,
  );
  assert.equal(oom.outcome, "oom");
  assert.match(oom.failure!.message, /heap exhausted \(limit 64 MB\)/);
  assert.equal(
    classifyExit(exit({ memoryExceeded: true, signal: "SIGKILL", code: null })).outcome,
    "oom",
  );
  const signal = classifyExit(exit({ code: null, signal: "SIGSEGV" }));
  assert.equal(signal.outcome, "crash");
  assert.equal(signal.failure?.message, "killed by signal SIGSEGV");
});

Deno.test("classifyExit: an exit without a result is a crash that quotes the uncaught error", () => {
  const stderr =
    "\x1b[31merror\x1b[0m: Uncaught (in promise) TypeError: boom\n    at inner (file:///v/mod.ts:1:25)\n    at outer (file:///v/mod.ts:2:19)\n";
  const c = classifyExit(exit({ code: 1, stderr }));
  assert.equal(c.outcome, "crash");
  assert.equal(c.failure?.kind, "NoResult");
  assert.match(
    c.failure!.message,
    /code 1 without a result: Uncaught \(in promise\) TypeError: boom/,
  );
  assert.deepEqual(c.failure?.frames, [
    "inner (file:///v/mod.ts:1:25)",
    "outer (file:///v/mod.ts:2:19)",
  ]);
  assert.equal(classifyExit(exit({ code: 0, stdout: "{not json" })).outcome, "crash");
});

Deno.test("lastResultLine skips lines that are not results", () => {
  assert.equal(lastResultLine(`${result("leak")}\n{"other": true}\nplain\n`)?.outcome, "leak");
  assert.equal(lastResultLine("{}\n"), undefined);
});
