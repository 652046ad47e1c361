/**
 * Hover in mlloop.yaml: for the key under the mouse, or the key of the value under it, the
 * schema's description, type, allowed values and default (the same text completion shows).
 * Stays quiet when the Red Hat YAML extension is installed (it hovers from the same schema).
 */
import * as vscode from 'vscode';
import { projectSchema } from '../../core/project/parse';
import { describeProperty, formatPath, objectShapeAt, propertyAt, type SchemaNode } from './schemaModel';
import { nodeAt } from './yamlCursor';
import { yamlExtensionServesSchema } from './projectFile';

/** The HoverProvider for mlloop.yaml (register with PROJECT_FILE_SELECTOR). */
export class ProjectFileHoverProvider implements vscode.HoverProvider {
  private readonly schema = projectSchema() as SchemaNode;

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (yamlExtensionServesSchema()) return undefined;
    const hit = nodeAt(document.getText(), document.offsetAt(position));
    if (!hit) return undefined;
    // A list item (e.g. 16 in `hidden: [16]`) is explained by the key that holds the list.
    let keyIndex = hit.path.length - 1;
    while (keyIndex >= 0 && typeof hit.path[keyIndex] === 'number') keyIndex--;
    if (keyIndex < 0) return undefined;
    const objectPath = hit.path.slice(0, keyIndex);
    const key = hit.path[keyIndex] as string;
    const property = propertyAt(this.schema, objectPath, key, hit.readDiscriminator);
    if (!property) return undefined;
    const shape = objectShapeAt(this.schema, objectPath, hit.readDiscriminator);
    const markdown = new vscode.MarkdownString(describeProperty(property, formatPath([...objectPath, key]), shape));
    const range = new vscode.Range(document.positionAt(hit.range[0]), document.positionAt(hit.range[1]));
    return new vscode.Hover(markdown, range);
  }
}
