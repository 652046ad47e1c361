/** Which documents the editor integration looks at, and the settings it honours. */
import * as vscode from 'vscode';
import { PROJECT_FILE } from '../../core/project/parse';

/** Matches every mlloop.yaml whatever its folder or scheme (file, untitled with a path, remote). */
export const PROJECT_FILE_SELECTOR: vscode.DocumentSelector = { pattern: `**/${PROJECT_FILE}` };

/** True for a document named mlloop.yaml (the name, not the language, decides). */
export function isProjectFile(document: vscode.TextDocument): boolean {
  const p = document.uri.path;
  return p.slice(p.lastIndexOf('/') + 1) === PROJECT_FILE;
}

/** `mlloop.diagnostics.enabled` (default true): show mlloop.yaml problems in the Problems panel. */
export function diagnosticsEnabled(): boolean {
  return vscode.workspace.getConfiguration('mlloop').get<boolean>('diagnostics.enabled', true);
}

/** The Red Hat YAML extension's id; when it is installed it completes and hovers from our yamlValidation schema. */
export const RED_HAT_YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/**
 * True when the Red Hat YAML extension is installed and enabled: then it offers completion
 * and hover for mlloop.yaml from the schema this package contributes (yamlValidation), and
 * ML Loop's own providers stay quiet so no suggestion appears twice. Checked on every
 * request, so installing or removing that extension takes effect at once.
 */
export function yamlExtensionServesSchema(): boolean {
  return vscode.extensions.getExtension(RED_HAT_YAML_EXTENSION_ID) !== undefined;
}
