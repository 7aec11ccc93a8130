// Tokenizes every `.lens` file of the repository's packs and valid test cases, and every `lens` code
// block of docs/language.md without an `// error` marker, with the grammar, and fails if any text lands
// in an `invalid.*` scope (a rule that misreads real policy text), and checks
// that the grammar's built-in function names are exactly those of crates/loupe-db/src/builtins.rs.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const here = dirname(fileURLToPath(import.meta.url));
const extensionRoot = join(here, "..");
const repoRoot = join(extensionRoot, "..", "..");
const grammarPath = join(extensionRoot, "syntaxes", "loupe.tmLanguage.json");
// Test cases that exercise errors (tests/cases/check, parse, recovery, run) hold invalid text on purpose.
const shippedRoots = ["policies", "examples", "tests/cases/fmt"];

function lensFiles(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(lensFiles(path));
    else if (name.endsWith(".lens")) found.push(path);
  }
  return found;
}

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath),
});
const grammar = await registry.loadGrammar("source.loupe");

const failures = [];
// Each source: its name for messages, its text, and the line its text starts on.
const sources = shippedRoots.flatMap((root) => {
  const dir = join(repoRoot, root);
  try { statSync(dir); } catch { return []; }
  return lensFiles(dir).map((file) => ({ name: relative(repoRoot, file), text: readFileSync(file, "utf8"), firstLine: 1 }));
});
const fileCount = sources.length;
if (fileCount === 0) failures.push(`no .lens files found under ${shippedRoots.join(", ")}`);
const languageDoc = "docs/language.md";
const docText = readFileSync(join(repoRoot, languageDoc), "utf8");
for (const block of docText.matchAll(/^```lens[^\n]*\n([\s\S]*?)^```/gm)) {
  if (block[1].includes("// error")) continue;
  const firstLine = docText.slice(0, block.index).split("\n").length + 1;
  sources.push({ name: languageDoc, text: block[1], firstLine });
}
const docBlockCount = sources.length - fileCount;
if (docBlockCount === 0) failures.push(`no lens code blocks found in ${languageDoc}`);

for (const { name, text, firstLine } of sources) {
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      const scope = token.scopes.find((s) => s.startsWith("invalid"));
      if (scope) {
        const tokenText = line.slice(token.startIndex, token.endIndex);
        failures.push(`${name}:${firstLine + index}:${token.startIndex + 1}: ${JSON.stringify(tokenText)} is ${scope}`);
      }
    }
    state = result.ruleStack;
  });
}

const builtinsSource = readFileSync(join(repoRoot, "crates/loupe-db/src/builtins.rs"), "utf8");
const builtins = [...builtinsSource.matchAll(/name: "([a-z_]+)",\s*params:/g)].map((m) => m[1]).sort();
const grammarJson = JSON.parse(readFileSync(grammarPath, "utf8"));
const builtinRule = grammarJson.repository["expression-words"].patterns.find(
  (p) => p.captures?.["1"]?.name === "support.function.builtin.loupe");
const inGrammar = builtinRule.match.match(/\(([a-z_|]+)\)/)[1].split("|").sort();
if (builtins.length === 0 || builtins.join() !== inGrammar.join()) {
  failures.push(`built-ins differ: builtins.rs has [${builtins}], the grammar [${inGrammar}]`);
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`✓ ${fileCount} shipped .lens files and ${docBlockCount} code blocks of ${languageDoc} tokenized with no invalid scope; ${builtins.length} built-ins match builtins.rs`);
