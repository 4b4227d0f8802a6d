import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FuzzRecord } from "../bisect/fuzz/campaign.ts";
import { type Ran, ROOT, runCommandFile } from "./test_support.ts";

// From seed 40, v1.2.0's seed bug first shows at seed 64: 25 cases, about three seconds.
const ARGS = ["--version", "v1.2.0", "--seed", "40", "--time", "60s"];

/** Cases in the journals of `dir` (lines after each header). */
function journaled(dir: string): number {
  let units = 0;
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.name.endsWith(".journal.jsonl")) continue;
    units += Deno.readTextFileSync(join(dir, entry.name)).split("\n").filter(Boolean).length - 1;
  }
  return units;
}

/** Start a campaign and send `signal` once `after` cases are journaled. */
async function interrupt(args: string[], signal: Deno.Signal, after: number): Promise<Ran> {
  const records = args[args.indexOf("--records") + 1];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "commands", "fuzz.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 1200 && journaled(records) < after; i++) {
    await new Promise((wake) => setTimeout(wake, 25));
  }
  child.kill(signal);
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

const foundLine = (stdout: string) => /^fuzz: case seed \d+ .*$/m.exec(stdout)?.[0];

let baseline: Ran | undefined;
/** The campaign run whole, once; it must leave no journal behind. */
async function uninterrupted(): Promise<Ran> {
  if (baseline) return baseline;
  const dir = await Deno.makeTempDir({ prefix: "fuzz-whole-" });
  try {
    const records = join(dir, "runs");
    baseline = await runCommandFile("fuzz.ts", [
      ...ARGS,
      "--records",
      records,
      "--out",
      join(dir, "cases"),
    ]);
    assert.deepEqual([...Deno.readDirSync(records)], [], "no journal left behind");
    return baseline;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test(`fuzz resume: after ${signal}, the same failing case with fewer cases run`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "fuzz-resume-" });
    try {
      const whole = await uninterrupted();
      assert.equal(whole.code, 2, whole.stderr);
      assert.match(whole.stdout, /found after 25 cases in /);

      const records = join(dir, "runs");
      await Deno.mkdir(records);
      const args = [...ARGS, "--records", records, "--out", join(dir, "cases")];
      const stopped = await interrupt(args, signal, 5);
      const names = [...Deno.readDirSync(records)].map((e) => e.name);
      const journal = names.find((n) => n.endsWith(".journal.jsonl"));
      assert.ok(journal, `a journal is left: ${names}`);
      let from = join(records, journal);
      if (signal === "SIGINT") {
        assert.equal(stopped.code, 130, stopped.stderr);
        const lines = stopped.stderr.trim().split("\n");
        assert.equal(lines.length, 1, stopped.stderr);
        assert.match(
          lines[0],
          /^fuzz: interrupted by SIGINT; kept \d+ finished cases \(seeds 40\.\.\d+\) in \S+\.json; resume: deno task fuzz .*--resume \S+\.json$/,
        );
        from = /in (\S+\.json);/.exec(lines[0])![1];
        const record = JSON.parse(Deno.readTextFileSync(from)) as FuzzRecord;
        assert.equal(record.interrupted.signal, "SIGINT");
        assert.equal(record.cases, journaled(records));
      } else {
        assert.equal(stopped.code, 137);
      }
      const kept = journaled(records);
      assert.ok(kept >= 5 && kept < 25, `${kept} cases kept`);

      const resumed = await runCommandFile("fuzz.ts", [...args, "--resume", from]);
      assert.equal(resumed.code, 2, resumed.stderr);
      assert.equal(foundLine(resumed.stdout), foundLine(whole.stdout));
      assert.match(
        resumed.stdout,
        new RegExp(`found after 25 cases \\(${kept} from the journal\\)`),
      );
      assert.deepEqual(
        [...Deno.readDirSync(records)],
        [],
        "a finished campaign removes its journal and the one it resumed",
      );
      assert.ok(existsSync(join(dir, "cases", "fuzz-v1.2.0-fork-64.json")));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("fuzz resume: a changed flag or another command's journal is refused in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fuzz-resume-" });
  try {
    const args = [...ARGS, "--records", dir, "--out", join(dir, "cases")];
    const stopped = await interrupt(args, "SIGINT", 1);
    assert.equal(stopped.code, 130, stopped.stderr);
    const journal = join(
      dir,
      [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".journal.jsonl"))!.name,
    );
    const cases: [string[], RegExp][] = [
      [["--seed", "41"], /^fuzz: cannot resume from \S+: --seed differs \(journal 40, now 41\)$/m],
      [["--stressor", "mmap"], /--stressor differs \(journal "fork", now "mmap"\)$/m],
      [["--version", "v1.3.0"], /version v1\.3\.0 is not in the journal's history$/m],
    ];
    for (const [change, message] of cases) {
      const ran = await runCommandFile("fuzz.ts", [...args, ...change, "--resume", journal]);
      assert.equal(ran.code, 1, ran.stdout);
      assert.match(ran.stderr, message);
      assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
    }
    const bench = await runCommandFile("bench.ts", ["--quick", "--resume", journal]);
    assert.equal(bench.code, 2);
    assert.match(bench.stderr, /is the journal of a fuzz run, not of a bench$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
