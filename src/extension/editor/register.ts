/**
 * The editor integration for mlloop.yaml: diagnostics as you type, completion and hover
 * from the JSON Schema. Reading the project file is harmless, so all of it also works in
 * an untrusted (Restricted Mode) workspace.
 */
import * as vscode from 'vscode';
import { COMPLETION_TRIGGER_CHARACTERS, ProjectFileCompletionProvider } from './completion';
import { ProjectFileDiagnostics } from './diagnostics';
import { ProjectFileHoverProvider } from './hover';
import { PROJECT_FILE_SELECTOR } from './projectFile';

/** Registers diagnostics, completion and hover for every mlloop.yaml; dispose to remove them. */
export function registerEditorIntegration(): vscode.Disposable[] {
  return [
    new ProjectFileDiagnostics(),
    vscode.languages.registerCompletionItemProvider(PROJECT_FILE_SELECTOR, new ProjectFileCompletionProvider(), ...COMPLETION_TRIGGER_CHARACTERS),
    vscode.languages.registerHoverProvider(PROJECT_FILE_SELECTOR, new ProjectFileHoverProvider()),
  ];
}
