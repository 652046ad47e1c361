/**
 * The "Get Started with ML Loop" walkthrough: its contribution is complete (media files,
 * commands, completion events), its steps' commands do their work in order (create the
 * sample project → import → train → the dashboard command exists), and the Restricted Mode
 * guard refuses and explains. Screenshots of the walkthrough in both themes.
 *
 * The sample goes into a temp folder outside the workspace, so the workspace keeps its one
 * mlloop.yaml (other tests run commands without arguments that would otherwise ask which
 * project); the views are pointed back at the workspace's project afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseProject } from '../../../src/core/project/parse';
import { walkthroughProgress, WALKTHROUGH_CONTEXT_KEYS } from '../../../src/extension/walkthrough/register';
import { allowedInWorkspace, MANAGE_TRUST_COMMAND, TRUST_REQUIRED_ACTIONS, untrustedMessage, type TrustEnvironment } from '../../../src/extension/walkthrough/workspaceTrust';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';

/** The parts of the extension's exports this test uses (see MlLoopApi in src/extension/extension.ts). */
interface Api {
  state: {
    root: string | undefined;
    snapshot: { root: string; examples: number; models: unknown[]; runs: unknown[] } | undefined;
    setRoot(root: string): Promise<void>;
  };
}

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; svg?: string; image?: string; altText?: string };
  when?: string;
  completionEvents?: string[];
}

const WALKTHROUGH_ID = 'gettingStarted';

function walkthroughSteps(extension: vscode.Extension<unknown>): WalkthroughStep[] {
  const walkthroughs: Array<{ id: string; steps: WalkthroughStep[] }> = extension.packageJSON?.contributes?.walkthroughs ?? [];
  const walkthrough = walkthroughs.find((w) => w.id === WALKTHROUGH_ID);
  assert.ok(walkthrough, `package.json contributes no walkthrough '${WALKTHROUGH_ID}'`);
  return walkthrough.steps;
}

/**
 * Opens the walkthrough at `step`, as the Welcome editor. VS Code ignores a step change while
 * the walkthrough is already in front, so any open walkthrough is closed first.
 */
async function openWalkthroughAt(step: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: `mlloop.mlloop#${WALKTHROUGH_ID}`, step }, false);
  try {
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label.match(/^(Walkthrough|Welcome)/), 'the walkthrough editor to open');
  } catch (e) {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => `${g.viewColumn}:${t.label}${t.isActive ? '*' : ''}`));
    throw new Error(`${(e as Error).message}; tabs: ${tabs.join(', ') || 'none'}`);
  }
}

/** Dismisses notifications (job results, errors of earlier tests) so a screenshot shows the window. */
async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

/** Command ids linked from a step description (`[Title](command:id)` or `command:id?args`). */
function linkedCommands(description: string): string[] {
  return [...description.matchAll(/\(command:([A-Za-z0-9_.-]+)/g)].map((m) => m[1]);
}

describe('walkthrough', () => {
  let tempDir: string;
  let sampleRoot: string;

  before(async () => {
    await activatedMlloopExtension();
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-walkthrough-'));
    sampleRoot = path.join(tempDir, 'iris-sample');
  });

  after(async () => {
    const extension = await activatedMlloopExtension();
    await (extension.exports as Api).state.setRoot(workspaceRoot());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tempDir, { recursive: true, force: true });
  });

  it('contributes steps whose media exist, whose buttons run registered commands and whose completion events can happen', async () => {
    const extension = await activatedMlloopExtension();
    const steps = walkthroughSteps(extension);
    assert.deepEqual(
      steps.map((s) => s.id),
      ['trustWorkspace', 'createSampleProject', 'importExamples', 'train', 'openDashboard'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const contextKeys = new Set<string>([...Object.values(WALKTHROUGH_CONTEXT_KEYS), 'isWorkspaceTrusted']);
    for (const step of steps) {
      const media = step.media.markdown ?? step.media.svg ?? step.media.image;
      assert.ok(media, `step ${step.id} has no media`);
      assert.ok(fs.existsSync(path.join(extension.extensionPath, media)), `step ${step.id}: ${media} is missing`);
      if (step.media.svg || step.media.image) assert.ok(step.media.altText, `step ${step.id}: an image needs altText`);
      const commands = linkedCommands(step.description);
      assert.equal(commands.length, 1, `step ${step.id} should have one button`);
      for (const id of commands) assert.ok(registered.has(id), `step ${step.id} links ${id}, which is not registered`);
      assert.ok(step.completionEvents?.length, `step ${step.id} never ticks`);
      for (const event of step.completionEvents ?? []) {
        const [kind, name] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(registered.has(name), `step ${step.id} waits for ${name}, which is not registered`);
        else if (kind === 'onContext') assert.ok(contextKeys.has(name), `step ${step.id} waits for context ${name}, which nothing sets`);
        else assert.fail(`step ${step.id}: unexpected completion event ${event}`);
      }
    }
    // The sample the first step copies is packaged (media/** is in the .vsix) and valid.
    const sampleYaml = fs.readFileSync(path.join(extension.extensionPath, 'media', 'sample', 'iris', 'mlloop.yaml'), 'utf8');
    const parsed = parseProject(sampleYaml);
    assert.ok(parsed.ok, `the bundled sample's mlloop.yaml is invalid: ${parsed.problems.map((p) => p.message).join('; ')}`);
    assert.equal(fs.readFileSync(path.join(extension.extensionPath, 'media', 'sample', 'iris', 'data', 'iris.csv'), 'utf8').trim().split(/\r?\n/).length, 151);
  });

  it('step 1: mlloop.createSampleProject copies the sample into a folder and opens its mlloop.yaml beside the walkthrough (screenshots: walkthrough-create, walkthrough-sample-created)', async () => {
    const extension = await activatedMlloopExtension();
    // The user's way in: the walkthrough is open when the step's button runs the command.
    // (VS Code's walkthrough service ticks a step when its context key changes while it runs.)
    await openWalkthroughAt('createSampleProject');
    await clearNotifications();
    await takeScreenshot('walkthrough-create', { settleMs: 1500 });

    const file = await vscode.commands.executeCommand<string | undefined>('mlloop.createSampleProject', { target: sampleRoot });
    assert.equal(file, path.join(sampleRoot, 'mlloop.yaml'));
    for (const f of ['mlloop.yaml', 'README.md', path.join('data', 'iris.csv')]) {
      assert.ok(fs.existsSync(path.join(sampleRoot, f)), `${f} was not copied`);
    }
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === file, 'the sample mlloop.yaml to open in an editor');
    const walkthroughTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /^(Walkthrough|Welcome)/.test(t.label));
    assert.ok(walkthroughTab, 'the walkthrough should stay open');
    assert.notEqual(walkthroughTab.group.viewColumn, vscode.window.activeTextEditor?.viewColumn, 'the project file should open beside the walkthrough');
    // The views now show the sample project.
    assert.equal((extension.exports as Api).state.root, sampleRoot);
    // No problems in the copied file.
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(file!)).filter((d) => d.source === 'ML Loop'), []);
    await clearNotifications();
    await takeScreenshot('walkthrough-sample-created', { settleMs: 1500 });
  });

  it('step 1 again into the same folder refuses and leaves the first copy alone', async () => {
    const yaml = path.join(sampleRoot, 'mlloop.yaml');
    fs.appendFileSync(yaml, '# edited by the user\n');
    const again = await vscode.commands.executeCommand<string | undefined>('mlloop.createSampleProject', { target: sampleRoot, open: false });
    assert.equal(again, undefined);
    assert.match(fs.readFileSync(yaml, 'utf8'), /# edited by the user\n$/);
  });

  it('steps 2 and 3: importing the examples and training tick the steps (the project has examples, then a model)', async function () {
    this.timeout(180_000);
    const extension = await activatedMlloopExtension();
    const api = extension.exports as Api;
    assert.deepEqual(walkthroughProgress(api.state.snapshot as never), { hasExamples: false, hasModel: false });

    // With the files named, the command asks nothing (the walkthrough's button asks which ones).
    const files = [path.join(sampleRoot, 'data', 'iris.csv')];
    const report = await vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root: sampleRoot, files });
    assert.equal(report?.imported, 150);
    await waitFor(() => api.state.snapshot?.root === sampleRoot && api.state.snapshot.examples === 150 && api.state.snapshot, 'the state to count 150 examples');
    assert.deepEqual(walkthroughProgress(api.state.snapshot as never), { hasExamples: true, hasModel: false });

    const trained = await vscode.commands.executeCommand<{ modelVersion: string } | undefined>('mlloop.train', { root: sampleRoot });
    assert.ok(trained?.modelVersion, 'training returned no model version');
    await waitFor(() => (api.state.snapshot?.models.length ?? 0) > 0, 'the state to list the model', { timeoutMs: 30_000 });
    assert.deepEqual(walkthroughProgress(api.state.snapshot as never), { hasExamples: true, hasModel: true });
    assert.ok(fs.existsSync(path.join(sampleRoot, '.mlloop', 'models', trained.modelVersion)), 'no bundle for the model');
  });

  it('shows the first three steps done after the sample is trained (screenshots: walkthrough-import, walkthrough-train)', async () => {
    await clearNotifications();
    // Without the side bar the walkthrough has room to show its steps beside the step's image.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    try {
      await openWalkthroughAt('importExamples');
      await takeScreenshot('walkthrough-import', { settleMs: 2000 });
      await openWalkthroughAt('train');
      await takeScreenshot('walkthrough-train', { settleMs: 2000 });
    } finally {
      await vscode.commands.executeCommand('workbench.view.explorer');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('in an untrusted workspace refuses the data commands with a message that says why and how to trust', async () => {
    const extension = await activatedMlloopExtension();
    // The test window has workspace trust turned off (always trusted), so the guard's decision
    // is checked with an injected environment; package.json's enablement clauses are checked as data.
    const shown: Array<{ message: string; buttons: string[] }> = [];
    const executed: string[] = [];
    const untrusted: TrustEnvironment = {
      isTrusted: false,
      showWarning: async (message, ...buttons) => {
        shown.push({ message, buttons });
        return buttons[0];
      },
      executeCommand: async (command) => {
        executed.push(command);
      },
    };
    assert.equal(allowedInWorkspace('Training', untrusted), false);
    await waitFor(() => executed.length === 1, 'the Manage Workspace Trust button to run its command');
    assert.equal(shown.length, 1);
    assert.equal(shown[0].message, untrustedMessage('Training'));
    assert.match(shown[0].message, /Training is turned off in Restricted Mode: it reads the data files mlloop\.yaml names/);
    assert.deepEqual(shown[0].buttons, ['Manage Workspace Trust']);
    assert.deepEqual(executed, [MANAGE_TRUST_COMMAND]);

    const trusted: TrustEnvironment = { ...untrusted, isTrusted: true };
    assert.equal(allowedInWorkspace('Training', trusted), true);
    assert.equal(shown.length, 1, 'a trusted workspace shows no message');

    const pkg = extension.packageJSON as {
      capabilities?: { untrustedWorkspaces?: { supported: unknown; description?: string } };
      contributes: { commands: Array<{ command: string; enablement?: string }> };
    };
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.match(pkg.capabilities?.untrustedWorkspaces?.description ?? '', /mlloop\.yaml/);
    for (const id of Object.keys(TRUST_REQUIRED_ACTIONS)) {
      const contribution = pkg.contributes.commands.find((c) => c.command === id);
      assert.ok(contribution, `${id} is not contributed`);
      assert.match(contribution.enablement ?? '', /\bisWorkspaceTrusted\b/, `${id} is not disabled in untrusted workspaces`);
    }
  });
});
