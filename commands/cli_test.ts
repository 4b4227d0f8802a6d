import assert from "node:assert/strict";
import {
  type Conventions,
  defineCommand,
  runCommand,
  STRESS_NG,
  UNIX_TOOL,
  UsageError,
} from "./cli.ts";
import { integerFlag, parseDuration, splitList, stressorFlag } from "./cli.ts";

const PROBE_LIKE: Conventions = {
  usageExit: 128,
  internalExit: 128,
  internalStack: true,
  parseHint: " (see --help)",
};

/** Run a tiny command in-process, capturing what it prints. */
async function run(
  conventions: Conventions,
  args: string[],
  body: (who: string | undefined) => number,
): Promise<{ code: number; out: string[]; err: string[] }> {
  const spec = defineCommand({
    name: "greet",
    help: "usage: greet --who NAME",
    options: { who: { type: "string" } },
    conventions,
  });
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void err.push(parts.join(" "));
  try {
    const code = await runCommand(spec, args, ({ values }) => body(values.who));
    return { code, out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("runCommand: each family keeps its own exit codes and wording", async () => {
  const refuse = () => {
    throw new UsageError("--who is required\nsecond line");
  };
  const crash = () => {
    throw new RangeError("index out of range");
  };
  const ok = (who: string | undefined) => (console.log(`hello, ${who}`), 0);

  const fine = await run(STRESS_NG, ["--who", "tree"], ok);
  assert.deepEqual([fine.code, fine.out, fine.err], [0, ["hello, tree"], []]);
  const help = await run(PROBE_LIKE, ["-h"], ok);
  assert.deepEqual([help.code, help.out], [0, ["usage: greet --who NAME"]]);

  const usage = await run(STRESS_NG, [], refuse);
  assert.deepEqual([usage.code, usage.err], [1, ["greet: --who is required"]]);
  const usage2 = await run(UNIX_TOOL, [], refuse);
  assert.deepEqual([usage2.code, usage2.err], [2, ["greet: --who is required"]]);
  const worse = await run(UNIX_TOOL, ["--who", "tree"], () => 1);
  assert.deepEqual([worse.code, worse.err], [1, []], "a command's own exit code passes through");
  const usage128 = await run(PROBE_LIKE, [], refuse);
  assert.deepEqual([usage128.code, usage128.err], [128, ["greet: --who is required"]]);

  const parse = await run(STRESS_NG, ["--bogus"], ok);
  assert.deepEqual([parse.code, parse.err], [1, ["greet: Unknown option '--bogus'"]]);
  const parse2 = await run(UNIX_TOOL, ["--bogus"], ok);
  assert.deepEqual([parse2.code, parse2.err], [2, [
    "greet: Unknown option '--bogus' (see --help)",
  ]]);
  const parseHint = await run(PROBE_LIKE, ["--bogus"], ok);
  assert.deepEqual(parseHint.err, ["greet: Unknown option '--bogus' (see --help)"]);

  const internal = await run(STRESS_NG, [], crash);
  assert.deepEqual([internal.code, internal.err], [1, [
    "greet: unexpected error: index out of range",
  ]]);
  const stack = await run({ ...PROBE_LIKE, internalExit: 1 }, [], crash);
  assert.equal(stack.code, 1);
  assert.match(stack.err[0], /^greet: internal error: RangeError: index out of range\n\s+at /);
});

Deno.test("flag values: integers, durations and stressors are checked with one-line errors", () => {
  assert.equal(integerFlag("jobs", undefined, 2, 1), 2);
  assert.equal(integerFlag("jobs", "12", 2, 1), 12);
  for (const bad of ["0", "-1", "1e3", "1.5", "99999999999999999999"]) {
    assert.throws(
      () => integerFlag("jobs", bad, 2, 1),
      /^UsageError: --jobs wants an integer >= 1/,
    );
  }
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("3"), 3000);
  assert.throws(() => parseDuration("later", "time"), /--time wants a duration like 500ms/);
  assert.deepEqual(splitList(" v1.0.0,,head ", "--versions"), ["v1.0.0", "head"]);
  assert.throws(() => splitList(" , ", "--versions"), /^UsageError: --versions needs at least one/);
  assert.equal(stressorFlag("mmap"), "mmap");
  assert.throws(() => stressorFlag("teleport"), /unknown stressor "teleport" \(known: fork,/);
});

Deno.test("runCommand: a negative number after a flag is its value, checked by the command", async () => {
  const seen: (string | undefined)[] = [];
  const take = (who: string | undefined) => (seen.push(who), 0);
  for (const args of [["--who", "-5"], ["--who=-5"], ["--who", "-.5"], ["--who", "-1e3"]]) {
    const ran = await run(UNIX_TOOL, args, take);
    assert.deepEqual([ran.code, ran.err], [0, []], args.join(" "));
  }
  assert.deepEqual(seen, ["-5", "-5", "-.5", "-1e3"]);

  // The command's own check then names the flag and the range, in one line.
  const ops = await run(STRESS_NG, ["--who", "-5"], (who) => integerFlag("ops", who, 1, 1));
  assert.deepEqual([ops.code, ops.err], [1, ['greet: --ops wants an integer >= 1, got "-5"']]);

  // Only numbers are joined: a flag-like value stays refused, and so does a lone negative.
  const flagLike = await run(UNIX_TOOL, ["--who", "-h"], take);
  assert.equal(flagLike.code, 2);
  assert.match(flagLike.err[0], /^greet: Option '--who' argument is ambiguous/);
  const lone = await run(UNIX_TOOL, ["-5"], take);
  assert.deepEqual([lone.code, lone.err], [2, ["greet: Unknown option '-5' (see --help)"]]);
  const help = await run(UNIX_TOOL, ["-h", "-5"], take);
  assert.equal(help.code, 2, "a boolean flag takes no value, so -5 is not joined to it");
});

Deno.test("runCommand: an internal error gets the family's code, apart from its findings", async () => {
  const compareLike: Conventions = { ...UNIX_TOOL, internalExit: 3 };
  const worse = await run(compareLike, [], () => 1);
  assert.deepEqual([worse.code, worse.err], [1, []]);
  const crash = await run(compareLike, [], () => {
    throw new TypeError("records[0] is undefined");
  });
  assert.equal(crash.code, 3);
  assert.match(crash.err[0], /^greet: internal error: TypeError: records\[0\] is undefined\n/);
  const refused = await run(compareLike, [], () => {
    throw new UsageError("needs exactly two arguments");
  });
  assert.deepEqual([refused.code, refused.err], [2, ["greet: needs exactly two arguments"]]);
});
