import assert from "node:assert/strict";
import { join } from "node:path";
import { buildGitHistory } from "../testing/git_history.ts";
import type { BenchRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { type Ran, ROOT, runCommandFile } from "./test_support.ts";

// Three tiny versions, one small case, two rounds: six units of about half a second each.
const VERSIONS = [
  "testing/reference",
  "bisect/fixtures/versions/good-a",
  "bisect/fixtures/versions/good-b",
];
const ARGS = ["--quick", "--versions", VERSIONS.join(","), "--cases", "core/dup-30"];

/** Units in the journals of `dir` (lines after each header). */
function journaled(dir: string): number {
  let units = 0;
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.name.endsWith(".journal.jsonl")) continue;
    units += Deno.readTextFileSync(join(dir, entry.name)).split("\n").filter(Boolean).length - 1;
  }
  return units;
}

/** Start `bench` with `args` and send `signal` once `ready()` says so. */
async function interrupt(
  args: string[],
  signal: Deno.Signal,
  ready: () => boolean,
  env: Record<string, string> = {},
): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "commands", "bench.ts"), ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 1200 && !ready(); i++) await new Promise((wake) => setTimeout(wake, 25));
  child.kill(signal);
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

const records = (dir: string) =>
  [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".json")).map((e) =>
    JSON.parse(Deno.readTextFileSync(join(dir, e.name))) as BenchRecord
  );

Deno.test("bench resume: after SIGINT part-way, the rest is measured and every unit is there once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-resume-" });
  try {
    const args = [...ARGS, "--rounds", "2", "--out", dir];
    const stopped = await interrupt(args, "SIGINT", () => journaled(dir) >= 2);
    assert.equal(stopped.code, 130, stopped.stderr);
    const lines = stopped.stderr.trim().split("\n");
    assert.equal(lines.length, 1, stopped.stderr);
    assert.match(
      lines[0],
      /^bench: interrupted by SIGINT; kept (\d) of 6 units \(a version in a round\) in (\S+\.json); resume: deno task bench .*--resume \S+\.json$/,
    );
    const [, keptText, recordPath] = /kept (\d) of 6 units .* in (\S+\.json);/.exec(lines[0])!;
    const kept = Number(keptText);
    assert.ok(kept >= 2 && kept < 6, lines[0]);
    const cut = JSON.parse(Deno.readTextFileSync(recordPath)) as BenchRecord;
    assert.ok(validateRecord(cut).ok);
    assert.equal(cut.body.interrupted?.signal, "SIGINT");
    assert.equal(cut.body.interrupted?.unitsKept, kept);
    assert.equal(cut.body.units?.length, kept);

    // A changed flag is refused in one line, before anything is measured.
    const refused = await runCommandFile("bench.ts", [
      ...ARGS,
      "--rounds",
      "3",
      "--out",
      dir,
      "--resume",
      recordPath,
    ]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(
      refused.stderr,
      /^bench: cannot resume from \S+: --rounds differs \(journal 2, now 3\)$/m,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1);

    const resumed = await runCommandFile("bench.ts", [...args, "--resume", recordPath]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`: ${kept} units reused, ${6 - kept} measured`));
    assert.equal((resumed.stdout.match(/reused from the journal/g) ?? []).length, kept);
    const finished = records(dir).find((r) => !r.body.interrupted)!;
    assert.ok(validateRecord(finished).ok);
    const units = finished.body.units!.map((u) => `${u.round} ${u.version}`).sort();
    assert.deepEqual(units, [1, 2].flatMap((r) => VERSIONS.map((v) => `${r} ${v}`)).sort());
    assert.equal(finished.body.units!.filter((u) => u.reused).length, kept);
    assert.equal(finished.parameters.unitsReused, kept);
    for (const v of VERSIONS) {
      const set = finished.samples.find((s) => s.version === v)!;
      const first = cut.samples.find((s) => s.version === v);
      // Round 1 of a kept unit comes first, exactly as measured before the interrupt.
      if (first) assert.deepEqual(set.values.slice(0, first.values.length), first.values);
    }
    assert.equal(journaled(dir), 0, "a finished run leaves no journal");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench --git resume: SIGTERM keeps the commits measured and the rounds of the one cut short", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-git-resume-" });
  try {
    const { repo, commits } = await buildGitHistory(join(dir, "repo"), ["harmless", "harmless"]);
    const out = join(dir, "runs");
    await Deno.mkdir(out);
    const env = { MAPLE_CACHE_DIR: join(dir, "cache") };
    const args = [
      "--git",
      `${commits[0].short}..${commits.at(-1)!.short}`,
      "--repo",
      repo,
      "--quick",
      "--cases",
      "core/dup-30",
      "--rounds",
      "2",
      "--out",
      out,
    ];
    // Once the first commit has its record and the second one round.
    const stopped = await interrupt(args, "SIGTERM", () => {
      const names = [...Deno.readDirSync(out)].map((e) => e.name);
      return names.some((n) => n.endsWith(".json")) && journaled(out) >= 1;
    }, env);
    assert.equal(stopped.code, 143, stopped.stderr);
    const line = stopped.stderr.trim();
    assert.equal(line.split("\n").length, 1, line);
    assert.match(
      line,
      /^bench: interrupted by SIGTERM; kept \d commit\(s\) measured in this run in \S+( and \d of 2 rounds of git:\w+ in \S+\.json)?; resume: deno task bench --git /,
    );
    const resumeArgs = line.slice(line.indexOf("resume: deno task bench ") + 24).split(" ");
    const resumed = await runCommandFile("bench.ts", resumeArgs, env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /3 picked, [12] already measured/);
    const partial = / and (\d) of 2 rounds of /.exec(line);
    if (partial) {
      const kept = Number(partial[1]);
      assert.match(resumed.stdout, new RegExp(`: ${kept} units reused, ${2 - kept} measured`));
    }
    const finished = records(out).filter((r) => !r.body.interrupted);
    assert.deepEqual(
      finished.map((r) => r.versions[0].commit!.sha).sort(),
      commits.map((c) => c.sha).sort(),
      "every commit measured once, whole",
    );
    for (const r of finished) assert.equal(r.body.units?.length, 2);
    assert.equal(journaled(out), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
