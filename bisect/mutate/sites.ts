/**
 * Where a source file can be mutated, found with the TypeScript compiler's parser (never
 * with regular expressions, which cannot tell an operator from the same characters in a
 * string, a type or a comment), and how one mutation is applied.
 *
 * The operators are the small faults a developer of a B-tree makes:
 * - `comparison`: `<` ↔ `<=`, `>` ↔ `>=`, `===` ↔ `!==`, `==` ↔ `!=` (a pivot compared with
 *   `<=` instead of `<`);
 * - `constant`: an integer literal one more or one less (a gap or a slot count off by one);
 * - `drop`: an expression statement removed (an update, a free, a gap fix-up that never
 *   happens);
 * - `if-true` / `if-false`: an `if` whose condition is forced, so one branch always or never
 *   runs.
 *
 * Code that only builds an error message (the argument of a `throw`) is left alone: changing
 * it changes nothing a tree does.
 *
 * @example
 * ```ts
 * import { applySite, findSites } from "./sites.ts";
 * const source = "export function f(a: number, b: number) {\n  if (a < b) g(a + 1);\n}\n";
 * const sites = findSites("f.ts", source);
 * console.log(sites.map((s) => `${s.kind} ${s.original} -> ${s.replacement}`));
 * console.log(applySite(source, sites[0]).split("\n")[1]); // "  if (true) g(a + 1);"
 * ```
 *
 * @module
 */

import ts from "typescript";

/** The mutation operators. */
export const MUTATION_KINDS = ["comparison", "constant", "drop", "if-true", "if-false"] as const;

/** One mutation operator. */
export type MutationKind = typeof MUTATION_KINDS[number];

/** One place and one change: the text `original` at `[start, end)` becomes `replacement`. */
export interface MutationSite {
  /** The file, relative to the version folder (`write.ts`). */
  readonly file: string;
  readonly kind: MutationKind;
  /** Offset of the first character replaced. */
  readonly start: number;
  /** Offset after the last character replaced. */
  readonly end: number;
  readonly original: string;
  readonly replacement: string;
  /** 1-based line and column of `start`. */
  readonly line: number;
  readonly column: number;
}

const SWAPPED_COMPARISONS: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.LessThanToken, "<="],
  [ts.SyntaxKind.LessThanEqualsToken, "<"],
  [ts.SyntaxKind.GreaterThanToken, ">="],
  [ts.SyntaxKind.GreaterThanEqualsToken, ">"],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, "!=="],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, "==="],
  [ts.SyntaxKind.EqualsEqualsToken, "!="],
  [ts.SyntaxKind.ExclamationEqualsToken, "=="],
]);

/** Whether `node` lies where a change cannot alter what the code does. */
function inert(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isThrowStatement(at)) return true;
    if (ts.isTypeNode(at) || ts.isImportDeclaration(at) || ts.isExportDeclaration(at)) return true;
    if (ts.isEnumMember(at) && at.name === node) return true;
  }
  return false;
}

/** A literal's value written back the way the source wrote it (hex stays hex). */
function literalText(value: number, like: string): string {
  const text = /^0x/i.test(like) ? `0x${value.toString(16)}` : String(value);
  return value < 0 ? `(-${text.replace("-", "")})` : text;
}

/**
 * Every mutation site of one file's `source`, in source order (within one node: the order
 * of {@linkcode MUTATION_KINDS}).
 *
 * @example
 * ```ts
 * import { findSites } from "./sites.ts";
 * const sites = findSites("x.ts", "const n = 0x10;\nif (n >= 2) throw new Error(`at ${n - 1}`);\n");
 * // The literals inside the thrown message are left alone.
 * console.log(sites.map((s) => s.replacement)); // ["0x11", "0xf", "true", "false", ">", "3", "1"]
 * ```
 */
export function findSites(file: string, source: string): MutationSite[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: MutationSite[] = [];
  const add = (kind: MutationKind, node: ts.Node, replacement: string) => {
    const start = node.getStart(sf);
    const end = node.getEnd();
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    sites.push({
      file,
      kind,
      start,
      end,
      original: source.slice(start, end),
      replacement,
      line: line + 1,
      column: character + 1,
    });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node)) {
      const swapped = SWAPPED_COMPARISONS.get(node.operatorToken.kind);
      if (swapped !== undefined && !inert(node)) add("comparison", node.operatorToken, swapped);
    } else if (ts.isNumericLiteral(node) && !inert(node)) {
      const value = Number(node.text);
      const named = node.parent && (ts.isPropertyAssignment(node.parent) ||
        ts.isPropertyDeclaration(node.parent)) &&
        node.parent.name === node;
      if (Number.isSafeInteger(value) && Number.isSafeInteger(value + 1) && !named) {
        const text = node.getText(sf);
        add("constant", node, literalText(value + 1, text));
        add("constant", node, literalText(value - 1, text));
      }
    } else if (ts.isExpressionStatement(node) && !inert(node)) {
      const call = node.expression;
      const isSuper = ts.isCallExpression(call) &&
        call.expression.kind === ts.SyntaxKind.SuperKeyword;
      if (!isSuper && !ts.isStringLiteral(call)) add("drop", node, ";");
    } else if (ts.isIfStatement(node) && !inert(node)) {
      add("if-true", node.expression, "true");
      add("if-false", node.expression, "false");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

/**
 * `source` with `site` applied.
 *
 * @example
 * ```ts
 * import { applySite, findSites } from "./sites.ts";
 * const source = "let i = 0;\nwhile (i < 3) i++;\n";
 * const site = findSites("x.ts", source).find((s) => s.kind === "comparison")!;
 * console.log(applySite(source, site)); // let i = 0;\nwhile (i <= 3) i++;\n
 * ```
 */
export function applySite(source: string, site: MutationSite): string {
  if (source.slice(site.start, site.end) !== site.original) {
    throw new Error(`${site.file}:${site.line}: the source changed since its sites were found`);
  }
  return source.slice(0, site.start) + site.replacement + source.slice(site.end);
}

/**
 * A short name of the change: `< → <=`, `16 → 17`, `drop "gaps[i] = x;"`, `if (…) → true`.
 *
 * @example
 * ```ts
 * import { describeSite } from "./sites.ts";
 * const site = { file: "w.ts", kind: "comparison", start: 0, end: 1, original: "<", replacement: "<=", line: 1, column: 1 } as const;
 * console.log(describeSite(site)); // < → <=
 * ```
 */
export function describeSite(site: MutationSite): string {
  const short = (text: string) => {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > 48 ? `${flat.slice(0, 45)}...` : flat;
  };
  switch (site.kind) {
    case "drop":
      return `drop \`${short(site.original)}\``;
    case "if-true":
    case "if-false":
      return `if (${short(site.original)}) → ${site.replacement}`;
    default:
      return `${site.original} → ${site.replacement}`;
  }
}
