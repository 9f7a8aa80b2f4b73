// An editor session for the tests: opens one script, edits it, asks each
// feature once through the extension's providers, and prints what the
// editor would show as one JSON object. Usage: node session.js FILE.crm

"use strict";

const Module = require("module");
const path = require("path");
const fake = require("./fake-vscode");

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === "vscode" ? require.resolve("./fake-vscode") : resolveFilename.call(this, request, ...rest);
};
const extension = require("../extension");

const file = path.resolve(process.argv[2]);
const text = require("fs").readFileSync(file, "utf8");
const uri = fake.Uri.file(file);
const document = { uri, languageId: "crmscript", version: 1, getText: () => text };
const pos = (line, character) => new fake.Position(line, character);
const range = (r) => r && [r.start.line, r.start.character, r.end.line, r.end.character];

async function nextDiagnostics(previous) {
  for (let i = 0; i < 600; i++) {
    const found = fake.published.get(uri.toString());
    if (found !== undefined && found !== previous) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no diagnostics were published");
}

async function main() {
  const context = { subscriptions: [] };
  const connection = await extension.activate(context);
  fake.workspace.onDidOpenTextDocument.fire(document);
  const opened = await nextDiagnostics(undefined);
  const report = { opened: opened.map((d) => [range(d.range), d.message, d.severity]) };
  // `Integer count = 1;` -> `Integer count = "1";` on line 0
  document.version = 2;
  fake.workspace.onDidChangeTextDocument.fire({ document, contentChanges: [
    { range: new fake.Range(pos(0, 16), pos(0, 17)), text: "\"1\"" }] });
  const changed = await nextDiagnostics(opened);
  report.changed = changed.map((d) => [range(d.range), d.message, d.severity]);
  const p = fake.providers;
  const hover = await p.hover.provideHover(document, pos(1, 12));
  report.hover = [hover.contents.value, range(hover.range)];
  const items = await p.completion.provideCompletionItems(document, pos(3, 3));
  report.completion = items.map((item) => item.label);
  const resolved = await p.completion.resolveCompletionItem(items.find((item) => item.label === "getInputValue"));
  report.resolved = resolved.documentation.value;
  const help = await p.signatureHelp.provideSignatureHelp(document, pos(3, 18));
  report.signature = [help.signatures.map((s) => s.label), help.activeParameter];
  report.definition = (await p.definition.provideDefinition(document, pos(1, 12))).map((l) => range(l.range));
  report.references = (await p.references.provideReferences(document, pos(0, 9), { includeDeclaration: true }))
    .map((l) => range(l.range));
  report.symbols = (await p.symbols.provideDocumentSymbols(document)).map((s) => [s.name, s.kind]);
  report.prepare = range(await p.rename.prepareRename(document, pos(0, 9)));
  report.rename = (await p.rename.provideRenameEdits(document, pos(0, 9), "total")).edits.map(
    (e) => [range(e.range), e.newText]);
  fake.workspace.onDidCloseTextDocument.fire(document);
  await connection.stop();
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => { console.error(error); process.exit(1); });
