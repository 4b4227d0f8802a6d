import assert from "node:assert/strict";
import { resumeCommand, withoutResume } from "./interrupt.ts";

// A process that keeps working after the first signal, as a run writing its record does.
const SLOW_STOP = `
import { watchInterrupts } from "${new URL("./interrupt.ts", import.meta.url).href}";
const watch = watchInterrupts();
watch.signal.addEventListener("abort", () => console.log("stopping " + watch.signal.reason));
console.log("ready");
await new Promise((wake) => setTimeout(wake, 5000));
console.log("finished");
`;

async function lines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk);
    const parts = text.split("\n");
    text = parts.pop()!;
    for (const line of parts) onLine(line);
  }
}

Deno.test("one Ctrl-C delivered twice at once stops once; a later one exits at once", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", SLOW_STOP],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const seen: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((wake) => ready = wake);
  const reading = lines(child.stdout, (line) => {
    seen.push(line);
    if (line === "ready") ready();
  });
  await isReady;
  const started = performance.now();
  // The terminal's copy and `deno task`'s forwarded copy of the same keypress.
  child.kill("SIGINT");
  await new Promise((wake) => setTimeout(wake, 2));
  child.kill("SIGINT");
  await new Promise((wake) => setTimeout(wake, 400));
  child.kill("SIGINT");
  const status = await child.status;
  await reading;
  assert.equal(status.code, 130);
  assert.deepEqual(seen, ["ready", "stopping SIGINT"], "stopped once, never finished");
  assert.ok(performance.now() - started < 3000, "the second keypress did not wait for the work");
});

Deno.test("the resume command repeats the arguments without an earlier --resume", () => {
  assert.deepEqual(withoutResume(["--a", "--resume", "x", "--resume=y", "--b"]), ["--a", "--b"]);
  assert.equal(
    resumeCommand("bench", ["--versions", "a b", "--resume", "old.json"], "runs/new.json"),
    "deno task bench --versions 'a b' --resume runs/new.json",
  );
});
