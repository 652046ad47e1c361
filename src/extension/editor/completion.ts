/**
 * Completion in mlloop.yaml from the project's JSON Schema: the keys valid where the cursor
 * is (only those not written yet; for a feature or the model, those of the branch its
 * `type` selects) and the values a key may take (enums, feature and model types, booleans,
 * the default), each with the schema's description and default.
 *
 * Stays quiet when the Red Hat YAML extension is installed: it completes from the same
 * schema (this package's yamlValidation contribution), and two lists of the same keys help
 * no one.
 */
import * as vscode from 'vscode';
import { projectSchema } from '../../core/project/parse';
import {
  describeProperty,
  formatPath,
  objectShapeAt,
  propertyAt,
  schemaAtPath,
  typeLabel,
  valueKind,
  valueOptions,
  yamlLiteral,
  type ObjectShape,
  type PropertyInfo,
  type SchemaNode,
} from './schemaModel';
import { completionContextAt } from './yamlCursor';
import { yamlExtensionServesSchema } from './projectFile';

/** Characters after which the editor asks for completion without Ctrl+Space. */
export const COMPLETION_TRIGGER_CHARACTERS = [':', ' '];

function sortKey(rank: number, index: number): string {
  return `${rank}${String(index).padStart(4, '0')}`;
}

function keyDetail(p: PropertyInfo): string {
  const notes = [typeLabel(p.schema)];
  if (p.required) notes.push('required');
  if (p.onlyFor) notes.push(`only for ${p.onlyFor.join(', ')}`);
  return notes.join(' · ');
}

function keyItem(p: PropertyInfo, index: number, where: string, shape: ObjectShape, ctx: { flow: boolean; colonFollows: boolean; range: vscode.Range }): vscode.CompletionItem {
  const item = new vscode.CompletionItem(p.name, vscode.CompletionItemKind.Property);
  item.detail = keyDetail(p);
  item.documentation = new vscode.MarkdownString(describeProperty(p, where, shape));
  item.range = ctx.range;
  // Required keys first, then the schema's order (which is the order a file reads best in).
  item.sortText = sortKey(p.required ? 0 : 1, index);
  const hasOptions = valueOptions(p, shape).length > 0;
  if (ctx.colonFollows) {
    item.insertText = p.name;
  } else if (ctx.flow) {
    item.insertText = `${p.name}: `;
  } else {
    // Block style: nested objects and lists of objects start on the next line, indented
    // (a snippet's \t becomes the editor's indentation unit, after the line's own indent).
    switch (valueKind(p.schema)) {
      case 'object':
        item.insertText = new vscode.SnippetString(`${p.name}:\n\t$0`);
        break;
      case 'arrayOfObjects':
        item.insertText = new vscode.SnippetString(`${p.name}:\n\t- $0`);
        break;
      case 'array':
        item.insertText = new vscode.SnippetString(`${p.name}: [$0]`);
        break;
      default:
        item.insertText = `${p.name}: `;
    }
  }
  // Right after `key: ` the allowed values are what the user wants next.
  if (hasOptions && !ctx.colonFollows) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
  return item;
}

function valueItems(p: PropertyInfo, shape: ObjectShape | undefined, range: vscode.Range, needsSpace: boolean): vscode.CompletionItem[] {
  return valueOptions(p, shape).map((o, i) => {
    const literal = yamlLiteral(o.value);
    const item = new vscode.CompletionItem(literal, typeof o.value === 'string' ? vscode.CompletionItemKind.EnumMember : vscode.CompletionItemKind.Value);
    item.insertText = needsSpace ? ` ${literal}` : literal;
    item.filterText = literal;
    item.range = range;
    item.detail = o.isDefault ? 'default' : p.isDiscriminator ? `${p.name}` : typeLabel(p.schema);
    if (o.description) item.documentation = new vscode.MarkdownString(o.description);
    item.sortText = sortKey(o.isDefault ? 0 : 1, i);
    item.preselect = o.isDefault;
    return item;
  });
}

/** The CompletionItemProvider for mlloop.yaml (register with PROJECT_FILE_SELECTOR). */
export class ProjectFileCompletionProvider implements vscode.CompletionItemProvider {
  private readonly schema = projectSchema() as SchemaNode;

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    if (yamlExtensionServesSchema()) return undefined;
    const text = document.getText();
    const ctx = completionContextAt(text, document.offsetAt(position));
    if (!ctx) return undefined;
    const range = new vscode.Range(document.positionAt(ctx.replace[0]), document.positionAt(ctx.replace[1]));
    if (ctx.kind === 'key') {
      const shape = objectShapeAt(this.schema, ctx.objectPath, ctx.readDiscriminator);
      if (!shape) return undefined;
      const taken = new Set(ctx.existingKeys);
      return shape.properties
        .filter((p) => !taken.has(p.name))
        .map((p, i) => keyItem(p, i, formatPath([...ctx.objectPath, p.name]), shape, { flow: ctx.flow, colonFollows: ctx.colonFollows, range }));
    }
    const parentPath = ctx.valuePath.slice(0, -1);
    const last = ctx.valuePath[ctx.valuePath.length - 1];
    if (typeof last === 'number') {
      // An item of a list (e.g. a data source's format written in a flow list): its own schema.
      const itemSchema = schemaAtPath(this.schema, ctx.valuePath, ctx.readDiscriminator);
      if (!itemSchema) return undefined;
      return valueItems({ name: formatPath(ctx.valuePath), schema: itemSchema, required: false, isDiscriminator: false }, undefined, range, ctx.needsSpace);
    }
    const shape = objectShapeAt(this.schema, parentPath, ctx.readDiscriminator);
    const property = propertyAt(this.schema, parentPath, last, ctx.readDiscriminator);
    if (!property) return undefined;
    return valueItems(property, shape, range, ctx.needsSpace);
  }
}
