/**
 * mlloop.yaml in the editor: problems in the Problems panel as the user types (at the right
 * line and column, without saving, gone once fixed, gone when the file closes, off with
 * mlloop.diagnostics.enabled), and completion and hover driven by the JSON Schema in block
 * and flow style.
 *
 * Works on copies in a temp folder outside the workspace, so the fixture project the other
 * tests train stays untouched and the workspace keeps a single mlloop.yaml. Every edited
 * document is reverted before it is closed (closing a dirty editor would ask to save).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';

const SOURCE = 'ML Loop';

/** The ML Loop diagnostics of a document (other sources, if any, are left out). */
function mlloopDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Position of the `nth` (0-based) occurrence of `needle` in the document, plus `delta` characters. */
function positionOf(document: vscode.TextDocument, needle: string, { nth = 0, delta = 0 } = {}): vscode.Position {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = document.getText().indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `"${needle}" (occurrence ${nth}) not found in ${document.fileName}`);
  }
  return document.positionAt(offset + delta);
}

async function replaceText(editor: vscode.TextEditor, range: vscode.Range, text: string): Promise<void> {
  assert.ok(await editor.edit((b) => b.replace(range, text)), 'the editor refused the edit');
}

/** Shows the document, reverts unsaved edits and closes its editor. */
async function revertAndClose(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  assert.equal(document.isDirty, false, `${document.fileName} is still dirty after revert`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

/** ML Loop's completion items at a position (VS Code's word-based suggestions left out). */
async function completionsAt(uri: vscode.Uri, position: vscode.Position): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
  return list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text);
}

function labels(items: vscode.CompletionItem[]): string[] {
  return items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

function docText(item: vscode.CompletionItem | undefined): string {
  const d = item?.documentation;
  return d === undefined ? '' : typeof d === 'string' ? d : d.value;
}

/** Concatenated markdown of the hovers at a position. */
async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

describe('mlloop.yaml editor integration', () => {
  let tempDir: string;
  /** A block-style project file (the bundled iris sample: comments, nested maps, a flow map). */
  let blockFile: string;
  /** A flow-style project file (the test workspace's: features as a flow list of flow maps). */
  let flowFile: string;

  /** The user's files.autoSave before this file's tests (restored after them). */
  let autoSave: string | undefined;

  before(async () => {
    const extension = await activatedMlloopExtension();
    // VS Code for the web (the test window) saves after a second by default; these tests
    // check what happens to text that is typed and not saved, so saving waits for them.
    const files = vscode.workspace.getConfiguration('files');
    autoSave = files.inspect<string>('autoSave')?.globalValue;
    await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-editor-'));
    fs.mkdirSync(path.join(tempDir, 'block'));
    fs.mkdirSync(path.join(tempDir, 'flow'));
    blockFile = path.join(tempDir, 'block', 'mlloop.yaml');
    flowFile = path.join(tempDir, 'flow', 'mlloop.yaml');
    fs.copyFileSync(path.join(extension.extensionPath, 'media', 'sample', 'iris', 'mlloop.yaml'), blockFile);
    fs.copyFileSync(path.join(workspaceRoot(), 'mlloop.yaml'), flowFile);
  });

  after(async () => {
    for (const document of vscode.workspace.textDocuments) {
      if (document.isDirty && document.uri.fsPath.startsWith(tempDir)) await revertAndClose(document);
    }
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('files').update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
    fs.rmSync(tempDir, { recursive: true, force: true });
  });

  describe('diagnostics', () => {
    it('shows no problem for a valid mlloop.yaml once it is open', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      await vscode.window.showTextDocument(document);
      // Validation on open is synchronous with the open event; give the event a moment to arrive.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(mlloopDiagnostics(document.uri).map((d) => d.message), []);
    });

    it('lists a value that is not allowed at its line and column as it is typed, without saving, and drops it once fixed', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      // The second feature's transform: 'standardize' → 'standardise' (a typo the schema's enum rejects).
      const valueStart = positionOf(document, 'standardize', { nth: 1 });
      await replaceText(editor, new vscode.Range(valueStart, valueStart.translate(0, 'standardize'.length)), 'standardise');
      assert.equal(document.isDirty, true, 'the edit should not have been saved');
      const [problem] = await waitFor(() => {
        const ds = mlloopDiagnostics(document.uri);
        return ds.length > 0 && ds;
      }, 'a diagnostic for the misspelt transform');
      assert.equal(mlloopDiagnostics(document.uri).length, 1);
      assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
      assert.match(problem.message, /'features\.1\.transform' must be one of: "standardize", "minmax", "log1p", "none"/);
      assert.deepEqual(
        [problem.range.start.line, problem.range.start.character, problem.range.end.line, problem.range.end.character],
        [valueStart.line, valueStart.character, valueStart.line, valueStart.character + 'standardise'.length],
        'the problem should underline exactly the misspelt value',
      );

      // A second problem, typed while the first is still there: an unknown key under training.
      const keyStart = positionOf(document, 'batchSize');
      await replaceText(editor, new vscode.Range(keyStart, keyStart.translate(0, 'batchSize'.length)), 'batchSiz');
      const unknownKey = await waitFor(() => mlloopDiagnostics(document.uri).find((d) => d.message.includes("'batchSiz'")), 'a diagnostic for the unknown key');
      assert.match(unknownKey.message, /Unknown key 'batchSiz' in 'training'/);
      assert.equal(unknownKey.range.start.line, keyStart.line);
      assert.equal(unknownKey.range.start.character, keyStart.character);
      assert.equal(unknownKey.range.end.character, keyStart.character + 'batchSiz'.length);

      // Fix both by typing: the list empties while the document is still unsaved.
      await replaceText(editor, new vscode.Range(keyStart, keyStart.translate(0, 'batchSiz'.length)), 'batchSize');
      await replaceText(editor, new vscode.Range(valueStart, valueStart.translate(0, 'standardise'.length)), 'standardize');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 0, 'the problems to disappear once fixed');
      assert.equal(document.isDirty, true);
    });

    it('places a YAML syntax error on its line and a semantic problem (label used as a feature) on the feature', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      const nameStart = positionOf(document, 'sepal_width', { nth: 0 });
      await replaceText(editor, new vscode.Range(nameStart, nameStart.translate(0, 'sepal_width'.length)), 'species');
      const semantic = await waitFor(() => mlloopDiagnostics(document.uri).find((d) => d.message.includes('is the label')), 'the label-as-feature problem');
      assert.equal(semantic.range.start.line, nameStart.line);
      assert.equal(semantic.range.start.character, nameStart.character);
      await replaceText(editor, new vscode.Range(nameStart, nameStart.translate(0, 'species'.length)), 'sepal_width');

      // An unclosed flow map (`[16` without `]`) is a syntax error reported where YAML notices it.
      const hidden = positionOf(document, '[16]');
      await replaceText(editor, new vscode.Range(hidden, hidden.translate(0, 4)), '[16');
      const syntax = await waitFor(() => mlloopDiagnostics(document.uri).find((d) => d.message.startsWith('YAML syntax')), 'a YAML syntax problem');
      assert.ok(syntax.range.start.line >= hidden.line, `syntax problem at line ${syntax.range.start.line + 1}, before the edit at ${hidden.line + 1}`);
      await replaceText(editor, new vscode.Range(hidden, hidden.translate(0, 3)), '[16]');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 0, 'the problems to disappear once fixed');
    });

    it('shows the problem in the Problems panel (screenshot: problems-mlloop-yaml)', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      const taskValue = positionOf(document, 'multiclass');
      await replaceText(editor, new vscode.Range(taskValue, taskValue.translate(0, 'multiclass'.length)), 'multiclas');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 1, 'the task problem');
      editor.selection = new vscode.Selection(taskValue, taskValue);
      editor.revealRange(new vscode.Range(taskValue, taskValue), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await takeScreenshot('problems-mlloop-yaml', { settleMs: 1200 });
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await replaceText(editor, new vscode.Range(taskValue, taskValue.translate(0, 'multiclas'.length)), 'multiclass');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 0, 'the task problem to disappear');
    });

    it('turns off with mlloop.diagnostics.enabled and back on', async () => {
      const config = vscode.workspace.getConfiguration('mlloop');
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      const taskValue = positionOf(document, 'multiclass');
      await replaceText(editor, new vscode.Range(taskValue, taskValue.translate(0, 'multiclass'.length)), 'multi');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 1, 'the task problem');
      try {
        await config.update('diagnostics.enabled', false, vscode.ConfigurationTarget.Global);
        await waitFor(() => mlloopDiagnostics(document.uri).length === 0, 'diagnostics to clear when turned off');
        // Typing while off reports nothing.
        await replaceText(editor, new vscode.Range(taskValue, taskValue.translate(0, 'multi'.length)), 'mult');
        await new Promise((r) => setTimeout(r, 600));
        assert.equal(mlloopDiagnostics(document.uri).length, 0);
      } finally {
        await config.update('diagnostics.enabled', undefined, vscode.ConfigurationTarget.Global);
      }
      await waitFor(() => mlloopDiagnostics(document.uri).length === 1, 'diagnostics to come back when turned on');
      await replaceText(editor, new vscode.Range(taskValue, taskValue.translate(0, 'mult'.length)), 'multiclass');
      await waitFor(() => mlloopDiagnostics(document.uri).length === 0, 'the task problem to disappear');
    });

    it('checks a file with a problem when it opens, and drops its problems when it closes', async () => {
      const brokenFile = path.join(tempDir, 'broken', 'mlloop.yaml');
      fs.mkdirSync(path.dirname(brokenFile), { recursive: true });
      fs.writeFileSync(brokenFile, fs.readFileSync(blockFile, 'utf8').replace('task: multiclass', 'task: multi-class'));
      // Opened the way a user opens it (not workspace.openTextDocument, whose reference keeps
      // the document alive for minutes after its editor closes).
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(brokenFile));
      const document = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.fsPath === brokenFile), 'the opened document');
      const [problem] = await waitFor(() => {
        const ds = mlloopDiagnostics(document.uri);
        return ds.length > 0 && ds;
      }, 'the problem of the file as opened');
      assert.equal(problem.range.start.line, positionOf(document, 'multi-class').line);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor(() => mlloopDiagnostics(vscode.Uri.file(brokenFile)).length === 0, 'the problems of the closed file to be dropped', { timeoutMs: 15_000 });
    });
  });

  describe('completion and hover from the schema', () => {
    before(function () {
      // With the Red Hat YAML extension installed, ML Loop leaves completion and hover to it.
      if (vscode.extensions.getExtension('redhat.vscode-yaml')) this.skip();
    });

    afterEach(async () => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.isDirty && document.uri.fsPath.startsWith(tempDir)) await revertAndClose(document);
      }
    });

    it('offers the top-level keys not written yet, with their descriptions', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      const end = document.lineAt(document.lineCount - 1).range.end;
      await replaceText(editor, new vscode.Range(end, end), '\n');
      const items = await completionsAt(document.uri, document.lineAt(document.lineCount - 1).range.end);
      const names = labels(items);
      for (const key of ['calibration', 'evaluation', 'weight']) assert.ok(names.includes(key), `top-level completion lacks ${key}: ${names.join(', ')}`);
      for (const key of ['version', 'task', 'label', 'features', 'model', 'training']) assert.ok(!names.includes(key), `offers ${key}, which the file already has`);
      const calibration = items.find((i) => i.label === 'calibration');
      assert.match(docText(calibration), /Calibrating the model's probabilities/);
      assert.equal(calibration?.kind, vscode.CompletionItemKind.Property);
    });

    it('offers the keys of the branch a block feature item’s type selects, and not the keys it has', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      // A new line inside the first feature (a numeric one), indented like its keys.
      const at = positionOf(document, 'transform: standardize');
      const lineEnd = document.lineAt(at.line).range.end;
      await replaceText(editor, new vscode.Range(lineEnd, lineEnd), `\n${' '.repeat(at.character)}`);
      const items = await completionsAt(document.uri, new vscode.Position(at.line + 1, at.character));
      assert.deepEqual(labels(items), ['impute'], 'a numeric feature with name, type and transform has only impute left');
      assert.match(docText(items[0]), /Value for a missing entry/);
      assert.match(docText(items[0]), /Default: `mean`/);
    });

    it('offers the values of an enum with the default first, and the feature types with their descriptions', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const transformValue = positionOf(document, 'standardize');
      const transform = await completionsAt(document.uri, transformValue);
      assert.deepEqual(labels(transform).sort(), ['log1p', 'minmax', 'none', 'standardize']);
      const standardize = transform.find((i) => i.label === 'standardize');
      assert.equal(standardize?.detail, 'default');
      assert.equal(standardize?.preselect, true);

      const typeValue = positionOf(document, 'numeric');
      const types = await completionsAt(document.uri, typeValue);
      assert.deepEqual(labels(types), ['numeric', 'boolean', 'categorical', 'text']);
      assert.match(docText(types.find((i) => i.label === 'text')), /hashed TF-IDF/);

      const cases: Array<[string, string[]]> = [
        ['multiclass', ['binary', 'multiclass', 'regression']],
        ['relu', ['relu', 'tanh', 'elu', 'selu']],
        ['val_loss', ['val_loss', 'val_accuracy', 'loss']],
        ['none     #', ['none', 'balanced']],
      ];
      for (const [needle, expected] of cases) {
        const got = labels(await completionsAt(document.uri, positionOf(document, needle)));
        assert.deepEqual(got.sort(), [...expected].sort(), `values at "${needle}"`);
      }
    });

    it('offers calibration methods and model types in a block typed from scratch', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      const end = document.lineAt(document.lineCount - 1).range.end;
      await replaceText(editor, new vscode.Range(end, end), '\ncalibration:\n  method: ');
      const methods = await completionsAt(document.uri, document.lineAt(document.lineCount - 1).range.end);
      assert.deepEqual(labels(methods).sort(), ['auto', 'histogram', 'isotonic', 'none', 'platt', 'temperature', 'vector']);
      assert.equal(methods.find((i) => i.label === 'auto')?.detail, 'default');

      const modelType = positionOf(document, 'type: mlp', { delta: 'type: '.length });
      assert.deepEqual(labels(await completionsAt(document.uri, modelType)), ['auto', 'mlp', 'logistic']);
    });

    it('completes keys and values inside flow maps of a flow feature list', async () => {
      const document = await vscode.workspace.openTextDocument(flowFile);
      const editor = await vscode.window.showTextDocument(document);
      // {name: sepal_length, type: numeric} → {name: sepal_length, type: numeric, |}
      const close = positionOf(document, 'type: numeric}', { delta: 'type: numeric'.length });
      await replaceText(editor, new vscode.Range(close, close), ', ');
      const keys = await completionsAt(document.uri, close.translate(0, 2));
      assert.deepEqual(labels(keys), ['transform', 'impute']);
      const transform = keys.find((i) => i.label === 'transform');
      assert.equal(transform?.insertText, 'transform: ', 'a flow map takes `key: ` on the same line');

      // A text feature offers the text keys.
      const second = positionOf(document, 'numeric', { nth: 1 });
      await replaceText(editor, new vscode.Range(second, second.translate(0, 'numeric'.length)), 'text');
      const afterText = positionOf(document, 'type: text}', { delta: 'type: text'.length });
      await replaceText(editor, new vscode.Range(afterText, afterText), ', ');
      assert.deepEqual(labels(await completionsAt(document.uri, afterText.translate(0, 2))), ['dimensions', 'ngrams', 'lowercase', 'analyzer', 'sublinearTf', 'minDf']);

      // The value of a flow map's type.
      const typeValue = positionOf(document, 'numeric', { nth: 1 });
      assert.deepEqual(labels(await completionsAt(document.uri, typeValue)), ['numeric', 'boolean', 'categorical', 'text']);
    });

    it('explains the key under the mouse: description, type, allowed values and default', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const transform = await hoverText(document.uri, positionOf(document, 'transform', { delta: 2 }));
      assert.match(transform, /\*\*transform\*\* — `features\[0\]\.transform`/);
      assert.match(transform, /Scaling fitted on training rows/);
      assert.match(transform, /Allowed values: `standardize`, `minmax`, `log1p`, `none`/);
      assert.match(transform, /Default: `standardize`/);

      // Inside the flow map `earlyStopping: { …, patience: 20, … }`.
      const patience = await hoverText(document.uri, positionOf(document, 'patience', { delta: 1 }));
      assert.match(patience, /Type: integer \(≥ 0\)/);
      assert.match(patience, /Default: `10`/);

      // On a value: the key's explanation; for a feature's type, every type with its description.
      const typeHover = await hoverText(document.uri, positionOf(document, 'numeric', { delta: 1 }));
      assert.match(typeHover, /`categorical` — One-hot over the most frequent categories/);

      // Comments and blank space explain nothing.
      assert.equal(await hoverText(document.uri, positionOf(document, "Fisher's")), '');
    });

    it('shows the suggestions in the editor (screenshot: completion-mlloop-yaml)', async () => {
      const document = await vscode.workspace.openTextDocument(blockFile);
      const editor = await vscode.window.showTextDocument(document);
      // A new feature item after the last one: without a type yet, every branch's keys are
      // offered, marked with the types they belong to; the details pane explains `type`.
      const last = positionOf(document, 'transform: standardize', { nth: 3 });
      const lineEnd = document.lineAt(last.line).range.end;
      const itemIndent = ' '.repeat(last.character - 2);
      await replaceText(editor, new vscode.Range(lineEnd, lineEnd), `\n${itemIndent}- `);
      const cursor = document.lineAt(last.line + 1).range.end;
      editor.selection = new vscode.Selection(cursor, cursor);
      const items = await completionsAt(document.uri, cursor);
      assert.deepEqual(labels(items).slice(0, 2), ['name', 'type'], 'the required keys come first');
      assert.equal(items.find((i) => i.label === 'transform')?.detail, 'string · only for numeric');
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await new Promise((r) => setTimeout(r, 500));
      await vscode.commands.executeCommand('selectNextSuggestion');
      await vscode.commands.executeCommand('toggleSuggestionDetails');
      await takeScreenshot('completion-mlloop-yaml', { settleMs: 1200 });
      await vscode.commands.executeCommand('toggleSuggestionDetails');
      await vscode.commands.executeCommand('hideSuggestWidget');
    });
  });
});
