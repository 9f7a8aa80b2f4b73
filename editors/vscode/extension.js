// CRMScript for VS Code: starts `crmscript lsp` and connects it to the editor.
//
// A small Language Server Protocol client written against the VS Code API
// alone (no npm packages), so the extension needs no build and no network:
// copy or link this folder into ~/.vscode/extensions (docs/editors.md).
// It forwards the features `crmscript lsp` offers: diagnostics, hover,
// completion, signature help, definition, references, rename and symbols.

"use strict";

const vscode = require("vscode");
const { spawn } = require("child_process");

const SELECTOR = { language: "crmscript" };

// ------------------------------------------------------------- connection

class Connection {
  constructor(command, args, options) {
    this.process = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...options });
    this.nextId = 1;
    this.pending = new Map();
    this.handlers = new Map();
    this.buffer = Buffer.alloc(0);
    this.process.stdout.on("data", (chunk) => this.receive(chunk));
    this.process.stderr.on("data", (chunk) => this.log(chunk.toString()));
    this.process.on("error", (error) => this.failAll(error));
    this.process.on("exit", (code) => this.failAll(new Error(`crmscript lsp exited (${code})`)));
    this.log = () => {};
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
    this.process.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.process.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }

  notify(method, params) {
    this.send({ method, params });
  }

  onNotification(method, handler) {
    this.handlers.set(method, handler);
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const match = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"));
      const length = match ? Number(match[1]) : 0;
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body));
    }
  }

  dispatch(message) {
    if (message.id !== undefined && !message.method) {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!waiting) return;
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    } else if (message.id !== undefined) {
      this.send({ id: message.id, result: null }); // a request of the server: nothing to do here
    } else if (this.handlers.has(message.method)) {
      this.handlers.get(message.method)(message.params);
    }
  }

  failAll(error) {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  async stop() {
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } finally {
      this.process.kill();
    }
  }
}

// ------------------------------------------------------------- conversions

const toPosition = (p) => ({ line: p.line, character: p.character });
const toRange = (r) => ({ start: toPosition(r.start), end: toPosition(r.end) });
const fromPosition = (p) => new vscode.Position(p.line, p.character);
const fromRange = (r) => new vscode.Range(fromPosition(r.start), fromPosition(r.end));
const fromLocation = (l) => new vscode.Location(vscode.Uri.parse(l.uri), fromRange(l.range));
const markdown = (m) => (m ? new vscode.MarkdownString(typeof m === "string" ? m : m.value) : undefined);
const at = (document, position) => ({ textDocument: { uri: document.uri.toString() }, position: toPosition(position) });

const SEVERITY = {
  1: vscode.DiagnosticSeverity.Error,
  2: vscode.DiagnosticSeverity.Warning,
  3: vscode.DiagnosticSeverity.Information,
  4: vscode.DiagnosticSeverity.Hint,
};

function fromDiagnostic(d) {
  const diagnostic = new vscode.Diagnostic(fromRange(d.range), d.message, SEVERITY[d.severity]);
  diagnostic.source = d.source;
  if (d.tags) diagnostic.tags = d.tags.map((tag) => (tag === 1 ? vscode.DiagnosticTag.Unnecessary : tag));
  if (d.relatedInformation) {
    diagnostic.relatedInformation = d.relatedInformation.map(
      (r) => new vscode.DiagnosticRelatedInformation(fromLocation(r.location), r.message));
  }
  return diagnostic;
}

// LSP CompletionItemKind numbers -> VS Code's (which count from 0).
const fromCompletionKind = (kind) => (kind ? kind - 1 : undefined);
const fromSymbolKind = (kind) => kind - 1;

function fromCompletionItem(item) {
  const result = new vscode.CompletionItem(item.label, fromCompletionKind(item.kind));
  result.detail = item.detail;
  result.documentation = markdown(item.documentation);
  result.lspItem = item;
  return result;
}

function fromSymbol(s) {
  const symbol = new vscode.DocumentSymbol(s.name, s.detail || "", fromSymbolKind(s.kind),
    fromRange(s.range), fromRange(s.selectionRange));
  symbol.children = (s.children || []).map(fromSymbol);
  return symbol;
}

function fromWorkspaceEdit(edit) {
  const result = new vscode.WorkspaceEdit();
  for (const [uri, edits] of Object.entries(edit.changes || {})) {
    for (const e of edits) result.replace(vscode.Uri.parse(uri), fromRange(e.range), e.newText);
  }
  return result;
}

// ------------------------------------------------------------- the extension

async function activate(context) {
  const settings = vscode.workspace.getConfiguration("crmscript");
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const connection = new Connection(settings.get("server.command") || "crmscript",
    settings.get("server.args") || ["lsp"], { cwd: folder ? folder.uri.fsPath : undefined });
  const output = vscode.window.createOutputChannel("CRMScript");
  connection.log = (text) => output.append(text);
  const diagnostics = vscode.languages.createDiagnosticCollection("crmscript");
  connection.onNotification("textDocument/publishDiagnostics", (p) =>
    diagnostics.set(vscode.Uri.parse(p.uri), p.diagnostics.map(fromDiagnostic)));
  connection.onNotification("window/logMessage", (p) => output.appendLine(p.message));

  await connection.request("initialize", {
    processId: process.pid,
    rootUri: folder ? folder.uri.toString() : null,
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      textDocument: {
        hover: { contentFormat: ["markdown"] },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        rename: { prepareSupport: true },
      },
    },
    initializationOptions: { debounceMs: settings.get("debounceMs") },
  });
  connection.notify("initialized", {});
  context.subscriptions.push(diagnostics, output, { dispose: () => connection.stop() });
  registerDocuments(context, connection, diagnostics);
  registerProviders(context, connection);
  return connection;
}

function registerDocuments(context, connection, diagnostics) {
  const isScript = (document) => document.languageId === "crmscript";
  const open = (document) => {
    if (!isScript(document)) return;
    connection.notify("textDocument/didOpen", { textDocument: {
      uri: document.uri.toString(), languageId: "crmscript", version: document.version, text: document.getText() } });
  };
  vscode.workspace.textDocuments.forEach(open);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (!isScript(event.document) || event.contentChanges.length === 0) return;
      connection.notify("textDocument/didChange", {
        textDocument: { uri: event.document.uri.toString(), version: event.document.version },
        contentChanges: event.contentChanges.map((c) => ({ range: toRange(c.range), text: c.text })),
      });
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (!isScript(document)) return;
      connection.notify("textDocument/didClose", { textDocument: { uri: document.uri.toString() } });
      diagnostics.delete(document.uri);
    }),
  );
}

function registerProviders(context, connection) {
  const languages = vscode.languages;
  context.subscriptions.push(
    languages.registerHoverProvider(SELECTOR, {
      async provideHover(document, position) {
        const hover = await connection.request("textDocument/hover", at(document, position));
        return hover ? new vscode.Hover(markdown(hover.contents), hover.range && fromRange(hover.range)) : null;
      },
    }),
    languages.registerCompletionItemProvider(SELECTOR, {
      async provideCompletionItems(document, position) {
        const list = await connection.request("textDocument/completion", at(document, position));
        return list ? (list.items || list).map(fromCompletionItem) : [];
      },
      async resolveCompletionItem(item) {
        const resolved = await connection.request("completionItem/resolve", item.lspItem);
        item.documentation = markdown(resolved && resolved.documentation);
        return item;
      },
    }, ".", "\"", "#"),
    languages.registerSignatureHelpProvider(SELECTOR, {
      async provideSignatureHelp(document, position) {
        const help = await connection.request("textDocument/signatureHelp", at(document, position));
        if (!help) return null;
        const result = new vscode.SignatureHelp();
        result.signatures = help.signatures.map((s) => {
          const signature = new vscode.SignatureInformation(s.label, markdown(s.documentation));
          signature.parameters = (s.parameters || []).map((p) => new vscode.ParameterInformation(p.label));
          return signature;
        });
        result.activeSignature = help.activeSignature || 0;
        result.activeParameter = help.activeParameter || 0;
        return result;
      },
    }, "(", ","),
    languages.registerDefinitionProvider(SELECTOR, {
      async provideDefinition(document, position) {
        const found = await connection.request("textDocument/definition", at(document, position));
        return (found ? [].concat(found) : []).map(fromLocation);
      },
    }),
    languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(document, position, context) {
        const found = await connection.request("textDocument/references",
          { ...at(document, position), context: { includeDeclaration: context.includeDeclaration } });
        return (found || []).map(fromLocation);
      },
    }),
    languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(document) {
        const found = await connection.request("textDocument/documentSymbol",
          { textDocument: { uri: document.uri.toString() } });
        return (found || []).map(fromSymbol);
      },
    }),
    languages.registerRenameProvider(SELECTOR, {
      async prepareRename(document, position) {
        const range = await connection.request("textDocument/prepareRename", at(document, position));
        return range ? fromRange(range) : null;
      },
      async provideRenameEdits(document, position, newName) {
        const edit = await connection.request("textDocument/rename", { ...at(document, position), newName });
        return edit ? fromWorkspaceEdit(edit) : null;
      },
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate, Connection };
