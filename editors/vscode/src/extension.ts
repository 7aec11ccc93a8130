// Starts `loupe lsp` over stdio for `.lens` files and restarts it on demand
// or when `loupe.server.path` changes.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("Loupe", { log: true });
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand("loupe.restartServer", restartServer),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("loupe.server.path")) {
        void restartServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

function serverPath(): string {
  const configured = vscode.workspace.getConfiguration("loupe").get<string>("server.path")?.trim();
  return configured ? configured : "loupe";
}

async function startServer(): Promise<void> {
  const command = serverPath();
  const serverOptions: ServerOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "loupe" }],
    outputChannel,
    synchronize: {
      // The server follows files that are not open: the pack's sources, its manifest and the evidence.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.lens,loupe.toml,*.json,*.yaml,*.yml}"),
    },
  };
  client = new LanguageClient("loupe", "Loupe", serverOptions, clientOptions);
  outputChannel.info(`Starting ${command} lsp`);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    outputChannel.error(`Could not start ${command} lsp: ${message}`);
    void vscode.window.showErrorMessage(
      `Loupe: could not start \`${command} lsp\` (${message}). Set "loupe.server.path" to the loupe binary.`,
    );
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
}
