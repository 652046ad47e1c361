import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activatedMlloopExtension, activationRecord, mlloopCommandIds, mlloopExtensionId, takeScreenshot, workspaceRoot } from './harness';

describe('activation', () => {
  it('opens the fixture workspace, which holds an mlloop.yaml', () => {
    assert.ok(fs.existsSync(path.join(workspaceRoot(), 'mlloop.yaml')), 'fixture workspace has no mlloop.yaml');
  });

  it('activates the extension because the workspace contains mlloop.yaml, without an error', async () => {
    const extension = await activatedMlloopExtension();
    assert.equal(extension.isActive, true);
    // isActive is also true when activate() threw, so the log is what tells success from failure.
    const record = await activationRecord(mlloopExtensionId);
    assert.match(record.activationEvent, /^workspaceContains:/, `activated by ${record.activationEvent}, not by the workspace`);
    assert.equal(record.error, undefined, `activate() threw: ${record.error}`);
  });

  it('registers every ML Loop command', async () => {
    await activatedMlloopExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = mlloopCommandIds.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('registers every command that package.json contributes', async () => {
    const extension = await activatedMlloopExtension();
    const contributed: Array<{ command: string }> = extension.packageJSON?.contributes?.commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `${mlloopExtensionId} contributes commands it never registers: ${missing.join(', ')}`);
  });

  it('shows the workspace in the window (screenshot: activation-window)', async () => {
    await activatedMlloopExtension();
    // Open the project file so the screenshot shows the workspace and the editor, not an empty window.
    const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'mlloop.yaml'));
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(path.basename(editor.document.fileName), 'mlloop.yaml');
    await takeScreenshot('activation-window', { settleMs: 1500 });
  });
});
