import assert from "node:assert/strict";
import { join } from "node:path";
import { validateRecord } from "../results/validate.ts";
import type { BisectRecord } from "../results/record.ts";

// The crash fixture history with small limits: about fourteen probes, a few seconds.
const ARGS = [
  "--manifest",
  join("bisect", "fixtures", "versions", "crash_history.json"),
  "--mode",
  "crash",
  "--layout",
  "cat-self",
  "--layout",
  "random:vmas=8",
  "--seed",
  "1",
  "--signature",
  "crash",
  "--time-limit",
  "3000",
  "--memory-limit",
  "64",
];

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[]): Promise<Ran> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join("commands", "bisect.ts"), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Journal lines after the header: the probes that finished. */
function journaled(dir: string): number {
  const journal = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".journal.jsonl"));
  if (!journal) return 0;
  return Deno.readTextFileSync(join(dir, journal.name)).split("\n").filter(Boolean).length - 1;
}

/** Start a bisect and send `signal` once `after` probes are journaled. */
async function interrupt(dir: string, signal: Deno.Signal, after: number): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join("commands", "bisect.ts"), "--records", dir, ...ARGS],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 600 && journaled(dir) < after; i++) {
    await new Promise((wake) => setTimeout(wake, 25));
  }
  child.kill(signal);
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

const probesRun = (stdout: string) => Number(/probes run: (\d+)/.exec(stdout)?.[1]);
const verdict = (stdout: string) => /first bad version: .*/.exec(stdout)?.[0];

let baseline: Ran | undefined;
async function uninterrupted(): Promise<Ran> {
  baseline ??= await run([...ARGS, "--no-record"]);
  return baseline;
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test(`bisect resume: after ${signal} part-way, the same verdict with fewer probes`, async () => {
    const whole = await uninterrupted();
    assert.equal(whole.code, 0, whole.stderr);
    const dir = await Deno.makeTempDir({ prefix: "bisect-resume-" });
    try {
      const stopped = await interrupt(dir, signal, 2);
      const names = [...Deno.readDirSync(dir)].map((e) => e.name);
      const journal = names.find((n) => n.endsWith(".journal.jsonl"))!;
      assert.ok(journal, `a journal is left: ${names}`);
      let from = join(dir, journal);
      if (signal === "SIGINT") {
        assert.equal(stopped.code, 130, stopped.stderr);
        const lines = stopped.stderr.split("\n").filter((l) => l.includes("interrupted"));
        assert.equal(lines.length, 1);
        assert.match(
          lines[0],
          /kept \d+ finished probes in .*; resume: deno task bisect .*--resume /,
        );
        const recordName = names.find((n) => n.endsWith(".json"))!;
        const record = JSON.parse(Deno.readTextFileSync(join(dir, recordName))) as BisectRecord;
        assert.ok(validateRecord(record).ok);
        assert.ok(record.body.interrupted, "the record is marked interrupted");
        assert.ok(record.body.probes.length >= 2);
        from = join(dir, recordName);
      } else {
        assert.equal(stopped.code, 137);
      }
      const kept = journaled(dir);
      const resumed = await run(["--records", dir, ...ARGS, "--resume", from]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(verdict(resumed.stdout), verdict(whole.stdout));
      assert.ok(probesRun(resumed.stdout) < probesRun(whole.stdout), resumed.stdout);
      assert.equal(probesRun(resumed.stdout) + kept, probesRun(whole.stdout));
      assert.match(resumed.stdout, new RegExp(`${kept} probes reused`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("bisect resume: a changed flag or a tampered version is refused in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bisect-resume-" });
  try {
    const args = ARGS;
    const stopped = await interrupt2(dir, args);
    assert.equal(stopped.code, 130, stopped.stderr);
    const journal = join(
      dir,
      [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".jsonl"))!.name,
    );

    const flag = await run(["--records", dir, ...args, "--repeats", "3", "--resume", journal]);
    assert.equal(flag.code, 2);
    assert.match(
      flag.stderr,
      /^bisect: cannot resume from .*: --repeats differs \(journal 5, now 3\)$/m,
    );
    assert.doesNotMatch(flag.stderr, /at .*\.ts:\d+/);

    // A version edited since the journal was written: its folder hash no longer matches.
    const lines = Deno.readTextFileSync(journal).split("\n");
    const header = JSON.parse(lines[0]);
    header.identity.versions[1].hash = "sha256:" + "0".repeat(64);
    lines[0] = JSON.stringify(header);
    Deno.writeTextFileSync(journal, lines.join("\n"));
    const tampered = await run(["--records", dir, ...args, "--resume", journal]);
    assert.equal(tampered.code, 2);
    assert.match(tampered.stderr, /cannot resume from .*: version good-b changed \(hash sha256:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Interrupt a bisect with these arguments after its first probe. */
async function interrupt2(dir: string, args: string[]): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join("commands", "bisect.ts"), "--records", dir, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 600 && journaled(dir) < 1; i++) {
    await new Promise((wake) => setTimeout(wake, 25));
  }
  child.kill("SIGINT");
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

// The perf fixture history: `slow` is three times slower; a few samples per version.
const PERF_ARGS = [
  "--manifest",
  join("bisect", "fixtures", "versions", "perf_history.json"),
  "--mode",
  "perf",
  "--samples",
  "4",
  "--perf-layout",
  "glibc",
  "--perf-ops",
  "300",
];

Deno.test("bisect resume, perf mode: samples are reused on the same machine only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bisect-resume-perf-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", join("commands", "bisect.ts"), "--records", dir, ...PERF_ARGS],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    for (let i = 0; i < 1200 && journaled(dir) < 3; i++) {
      await new Promise((wake) => setTimeout(wake, 25));
    }
    child.kill("SIGINT");
    const stopped = await child.output();
    assert.equal(stopped.code, 130, new TextDecoder().decode(stopped.stderr));
    const kept = journaled(dir);
    assert.ok(kept >= 3);
    const journal = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".journal.jsonl"))!;
    const path = join(dir, journal.name);
    const lines = Deno.readTextFileSync(path).split("\n");

    // Another machine's samples are not this machine's: measured again, none reused.
    const elsewhere = join(dir, "elsewhere.journal.jsonl");
    const header = JSON.parse(lines[0]);
    Deno.writeTextFileSync(
      elsewhere,
      [JSON.stringify({ ...header, machine: "another host" }), ...lines.slice(1)].join("\n"),
    );
    const moved = await run(["--no-record", ...PERF_ARGS, "--resume", elsewhere]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /first slower version: slow/);
    assert.doesNotMatch(moved.stdout, /[1-9]\d* probes reused/);

    const resumed = await run(["--records", dir, ...PERF_ARGS, "--resume", path]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /first slower version: slow/);
    assert.match(resumed.stdout, new RegExp(`${kept} probes reused`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
