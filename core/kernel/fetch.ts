/**
 * Gets kernel source trees for the shipped kernel versions: Debian's `linux-source-RELEASE`
 * packages (installed with apt where apt is available), of which only the subtrees the shim's
 * build needs are extracted into the git-ignored cache.
 *
 * @example
 * ```ts
 * import { fetchKernelTree } from "./fetch.ts";
 * export async function fetch61(): Promise<string> {
 *   return await fetchKernelTree("6.1", (line) => console.error(line));
 * }
 * ```
 *
 * @module
 */

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { debianTreeDir, isKernelTree } from "./config.ts";

/** The releases `kernel:fetch` gets by default: one per generation Debian packages. */
export const DEFAULT_RELEASES: readonly string[] = ["6.1", "6.12"];

/** What the shim's build reads from a tree (the rest of a kernel is never extracted). */
const SUBTREES = ["Makefile", "lib", "include", "tools", "arch/x86/include"];

/** A tree that cannot be had here (reported in one line). */
export class KernelFetchError extends Error {
  override name = "KernelFetchError";
}

async function run(command: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "piped",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    return { ok: out.success, text };
  } catch (error) {
    return { ok: false, text: (error as Error).message };
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter((l) => l.trim() !== "").at(-1) ?? "";
}

let aptUpdated = false;

/** Install Debian packages with apt-get (once `apt-get update`d per process). */
async function aptInstall(packages: string[], log: (line: string) => void): Promise<void> {
  if (!existsSync("/usr/bin/apt-get")) {
    throw new KernelFetchError(
      `apt-get is not available to install ${packages.join(", ")}: ` +
        "install them yourself, or set MAPLE_KERNEL_SRC to a kernel source tree",
    );
  }
  if (!aptUpdated) {
    log("apt-get update");
    const updated = await run("apt-get", ["update", "-qq"]);
    if (!updated.ok) throw new KernelFetchError(`apt-get update failed: ${lastLine(updated.text)}`);
    aptUpdated = true;
  }
  log(`apt-get install ${packages.join(" ")}`);
  const installed = await run("apt-get", ["install", "-y", "-qq", ...packages]);
  if (!installed.ok) {
    throw new KernelFetchError(
      `apt-get install ${packages.join(" ")} failed: ${lastLine(installed.text)}`,
    );
  }
}

/**
 * Make sure the build's library dependency (liburcu) is installed.
 *
 * @example
 * ```ts
 * import { ensureUrcu } from "./fetch.ts";
 * export const ready = () => ensureUrcu(() => {});
 * ```
 */
export async function ensureUrcu(log: (line: string) => void): Promise<void> {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  const headers = ["/usr/include/urcu.h", `/usr/include/${arch}-linux-gnu/urcu.h`];
  if (!headers.some((h) => existsSync(h))) await aptInstall(["liburcu-dev"], log);
}

/**
 * Extract `release`'s tree from Debian's source package into the cache (installing the
 * package when missing) and return its folder; an up-to-date extraction is reused.
 *
 * @example
 * ```ts
 * import { fetchKernelTree } from "./fetch.ts";
 * export const tree = () => fetchKernelTree("6.12", console.error);
 * ```
 */
export async function fetchKernelTree(
  release: string,
  log: (line: string) => void,
): Promise<string> {
  if (!/^\d+\.\d+$/.test(release)) {
    throw new KernelFetchError(`release "${release}" is not of the form 6.1 or 6.12`);
  }
  const tarball = `/usr/src/linux-source-${release}.tar.xz`;
  if (!existsSync(tarball)) await aptInstall([`linux-source-${release}`], log);
  if (!existsSync(tarball)) {
    throw new KernelFetchError(`linux-source-${release} installed no ${tarball}`);
  }
  const target = debianTreeDir(release);
  const stamp = join(target, ".maple-bisect-source");
  const { size, mtimeMs } = statSync(tarball);
  const wanted = `${tarball} ${size} ${mtimeMs}`;
  if (isKernelTree(target) && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) {
    return target;
  }
  const work = `${target}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  mkdirSync(work, { recursive: true });
  const top = `linux-source-${release}`;
  log(`extracting ${SUBTREES.join(", ")} of ${tarball}`);
  const extracted = await run("tar", [
    "-xJf",
    tarball,
    "-C",
    work,
    "--wildcards",
    "--no-wildcards-match-slash",
    ...SUBTREES.map((s) => `${top}/${s}`),
  ]);
  if (!isKernelTree(join(work, top))) {
    rmSync(work, { recursive: true, force: true });
    throw new KernelFetchError(`cannot extract ${tarball}: ${lastLine(extracted.text)}`);
  }
  await Deno.writeTextFile(join(work, top, ".maple-bisect-source"), wanted);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(join(work, top), target);
  rmSync(work, { recursive: true, force: true });
  return target;
}
