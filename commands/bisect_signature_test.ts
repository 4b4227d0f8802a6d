import assert from "node:assert/strict";
import { join } from "node:path";
import type { BisectRecord } from "../results/record.ts";
import { runCommandFile } from "./test_support.ts";

// good-a, good-b, invalid (a second bug: validate() fails), good-c, throws (fork crashes).
const TWO_BUGS = ["--manifest", join("bisect", "fixtures", "versions", "two_bugs_history.json")];
const ONE_PROBE = ["--mode", "crash", "--layout", "cat-self", "--seed", "1"];

async function bisect(args: string[]) {
  const records = await Deno.makeTempDir({ prefix: "bisect-signature-test-" });
  try {
    const ran = await runCommandFile("bisect.ts", ["--records", records, ...args]);
    const [file] = [...Deno.readDirSync(records)];
    const record = file
      ? JSON.parse(await Deno.readTextFile(join(records, file.name))) as BisectRecord
      : undefined;
    return { ...ran, record };
  } finally {
    await Deno.remove(records, { recursive: true });
  }
}

Deno.test("crash bisect follows the bad end's failure and lists the other bug it met", async () => {
  const ran = await bisect([...TWO_BUGS, ...ONE_PROBE]);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /first bad version: throws \(last good: good-c\) \[confident\]/);
  assert.match(ran.stdout, /following: crash linkNewNode \(mod\.ts\) \(the failure at the bad end/);
  assert.match(ran.stdout, /steps: .*invalid fails differently/);
  assert.match(
    ran.stdout,
    /invalid fails differently: invalid StaleTree\.validate \(mod\.ts\) \(1 run\(s\)\): MapleInvariantError: invariant pivot-order broken/,
  );
  assert.match(
    ran.stdout,
    /reproduce: deno task stress --stressor fork --version \.\/bisect\/fixtures\/versions\/invalid --layout cat-self --seed 1/,
  );
  const evidence = ran.record!.verdicts[0].evidence;
  assert.equal(evidence.signature, "crash linkNewNode (mod.ts)");
  const [other] = evidence.otherFailures as { version: string; reproduce: string }[];
  assert.equal(other.version, "invalid");
  // The record names a version as its manifest does, as its other reproduce commands do.
  assert.match(other.reproduce, /--stressor fork --version invalid --layout cat-self --seed 1/);
});

Deno.test("--signature follows the other bug; the first one is then the failure met on the way", async () => {
  const ran = await bisect([...TWO_BUGS, ...ONE_PROBE, "--signature", "MapleInvariantError"]);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /first bad version: invalid \(last good: good-b\) \[confident\]/);
  assert.match(ran.stdout, /following: MapleInvariantError \(failures that match --signature\)/);
  assert.match(ran.stdout, /the last version, throws, fails differently \(crash linkNewNode/);
  assert.match(ran.stdout, /throws fails differently: crash linkNewNode \(mod\.ts\)/);
  assert.equal(ran.record!.parameters.signature, "MapleInvariantError");

  const none = await bisect([...TWO_BUGS, ...ONE_PROBE, "--signature", "no such failure"]);
  assert.equal(none.code, 0, none.stdout);
  assert.match(none.stdout, /no failure/);
  assert.match(none.stdout, /invalid fails differently/);
  assert.match(none.stdout, /throws fails differently/);

  const empty = await bisect([...TWO_BUGS, ...ONE_PROBE, "--signature", " "]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /--signature wants some text/);
});
