/**
 * The palette commands. Long work (import, train, evaluate) runs in the job worker; this
 * thread only shows progress and results. Each command also accepts arguments, so tests
 * and other extensions can run it without dialogs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluateResult } from '../core/jobs/evaluate';
import type { TrainResult } from '../core/jobs/train';
import type { ImportReport } from '../core/store/import';
import { COMMAND_IDS } from './commandIds';
import { reportFailure, runWithProgress } from './jobProgress';
import type { Log } from './log';
import type { Prompts } from './prompts';
import { pickProjectRoot } from './project';
import { ensureWorkspaceTrusted } from './walkthrough/trustGuard';
import type { JobTracker } from './state/jobs';
import type { ProjectState } from './state/projectState';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: Log;
  jobs: JobTracker;
  state: ProjectState;
  prompts: Prompts;
}

export function backendSetting(): 'auto' | 'tensorflow' | 'wasm' | 'cpu' {
  return vscode.workspace.getConfiguration('mlloop').get('backend', 'auto');
}

function metricSummary(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .filter(([k]) => ['accuracy', 'f1_macro', 'roc_auc', 'log_loss', 'r2', 'mae'].includes(k))
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { log } = deps;
  return [
    vscode.commands.registerCommand(COMMAND_IDS.showLog, () => log.show()),

    vscode.commands.registerCommand(
      COMMAND_IDS.createProject,
      async (args?: { dataFile?: string; label?: string; root?: string; force?: boolean }): Promise<string | undefined> => {
        try {
          return await createProject(log, args ?? {});
        } catch (e) {
          reportFailure(log, 'create project', e);
          return undefined;
        }
      },
    ),

    vscode.commands.registerCommand(COMMAND_IDS.importExamples, async (args?: { root?: string; files?: string[] }): Promise<ImportReport | undefined> => {
      // Enablement only hides the command from the palette; buttons in panels and the
      // walkthrough still call it, so the job itself refuses in Restricted Mode.
      if (!ensureWorkspaceTrusted(COMMAND_IDS.importExamples)) return undefined;
      const root = args?.root ?? (await pickProjectRoot(deps.state.root));
      if (!root) return undefined;
      let files = args?.files;
      // From the palette (no arguments) ask where from; a caller that names the project but
      // no files means the files listed in mlloop.yaml.
      if (!files && !args) {
        const fromConfig = 'Files listed in mlloop.yaml';
        const choose = 'Choose files…';
        const pick = await vscode.window.showQuickPick([fromConfig, choose], { placeHolder: 'Import examples from' });
        if (!pick) return undefined;
        if (pick === choose) {
          const uris = await vscode.window.showOpenDialog({
            canSelectMany: true,
            defaultUri: vscode.Uri.file(root),
            filters: { 'Examples (CSV, JSON, JSONL)': ['csv', 'json', 'jsonl', 'ndjson'] },
            openLabel: 'Import',
          });
          if (!uris?.length) return undefined;
          files = uris.map((u) => u.fsPath);
        }
      }
      log.info(`import into ${root}${files ? `: ${files.join(', ')}` : ' (data.sources)'}`);
      const report = await runWithProgress(deps, 'importing examples', { kind: 'import', root, ...(files ? { files } : {}) }, (e, progress) => {
        if (e.type === 'progress') progress.report({ message: e.message });
      });
      if (!report) return undefined;
      log.info(`imported ${report.imported}, duplicates ${report.duplicates}, rejected ${report.rejectedTotal}`);
      for (const r of report.rejected.slice(0, 200)) log.info(`  rejected ${r.file}:${r.line}: ${r.reason}`);
      const warnings = report.warnings ?? [];
      for (const w of warnings) log.info(`warning: ${w}`);
      const msg = `ML Loop: imported ${report.imported} example${report.imported === 1 ? '' : 's'} (${report.duplicates} already stored, ${report.rejectedTotal} rejected).${warnings.length ? ` ${warnings[0]}` : ''}`;
      if (report.rejectedTotal > 0 || warnings.length > 0) {
        void vscode.window.showWarningMessage(msg, 'Show Log').then((c) => c && log.show());
      } else void vscode.window.showInformationMessage(msg);
      return report;
    }),

    vscode.commands.registerCommand(COMMAND_IDS.train, async (args?: { root?: string }): Promise<TrainResult | undefined> => {
      // Enablement only hides the command from the palette; buttons in panels and the
      // walkthrough still call it, so the job itself refuses in Restricted Mode.
      if (!ensureWorkspaceTrusted(COMMAND_IDS.train)) return undefined;
      const root = args?.root ?? (await pickProjectRoot(deps.state.root));
      if (!root) return undefined;
      log.info(`train ${root}`);
      let lastEpoch = 0;
      const result = await runWithProgress(deps, 'training', { kind: 'train', root, backend: backendSetting() }, (e, progress) => {
        if (e.type === 'log') log.info(e.message);
        else if (e.type === 'started') progress.report({ message: `run ${e.runId} on ${e.backend}` });
        else if (e.type === 'epoch') {
          const l = e.logs;
          const parts = Object.entries(l)
            .filter(([k]) => k !== 'epoch' && k !== 'durationMs')
            .map(([k, v]) => `${k} ${Number(v).toFixed(4)}`);
          log.info(`run ${e.runId} epoch ${l.epoch}: ${parts.join(' ')}`);
          progress.report({ message: `epoch ${l.epoch}/${e.epochs}${l.val_loss !== undefined ? ` · val_loss ${l.val_loss.toFixed(4)}` : ''}`, increment: ((l.epoch - lastEpoch) / e.epochs) * 100 });
          lastEpoch = l.epoch;
        }
      });
      if (!result) return undefined;
      const summary = `run ${result.runId} → model ${result.modelVersion}: ${metricSummary(result.metrics)}`;
      log.info(summary);
      void vscode.window.showInformationMessage(`ML Loop: ${summary}`, 'Show Log').then((c) => c && log.show());
      return result;
    }),

    vscode.commands.registerCommand(COMMAND_IDS.evaluate, async (args?: { root?: string; version?: string; dataFile?: string }): Promise<EvaluateResult | undefined> => {
      // Enablement only hides the command from the palette; buttons in panels and the
      // walkthrough still call it, so the job itself refuses in Restricted Mode.
      if (!ensureWorkspaceTrusted(COMMAND_IDS.evaluate)) return undefined;
      const root = args?.root ?? (await pickProjectRoot(deps.state.root));
      if (!root) return undefined;
      const result = await runWithProgress(
        deps,
        'evaluating',
        { kind: 'evaluate', root, backend: backendSetting(), ...(args?.version ? { version: args.version } : {}), ...(args?.dataFile ? { dataFile: args.dataFile } : {}) },
        () => undefined,
      );
      if (!result) return undefined;
      log.info(`model ${result.model} on ${result.on} (${result.n} rows):`);
      for (const [k, v] of Object.entries(result.metrics)) log.info(`  ${k.padEnd(18)} ${v.toFixed(6)}`);
      void vscode.window.showInformationMessage(`ML Loop: model ${result.model} on ${result.on}: ${metricSummary(result.metrics)}`, 'Show Log').then((c) => c && log.show());
      return result;
    }),
  ];
}

async function createProject(log: Log, args: { dataFile?: string; label?: string; root?: string; force?: boolean }): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders?.length && !args.root) {
    void vscode.window.showErrorMessage('ML Loop: open a folder first; the project file is written into it.');
    return undefined;
  }
  let dataFile = args.dataFile;
  if (!dataFile) {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: folders?.[0].uri,
      filters: { 'Examples (CSV, JSON, JSONL)': ['csv', 'json', 'jsonl', 'ndjson'] },
      openLabel: 'Use this data',
      title: 'ML Loop: choose a data file with labelled examples',
    });
    if (!uris?.length) return undefined;
    dataFile = uris[0].fsPath;
  }
  // Loaded here, not at activation: readers pull in the CSV parser.
  const { readRecords } = await import('../core/data/readers');
  const { initProject } = await import('../core/project/init');
  let label = args.label;
  if (!label) {
    let columns: string[] = [];
    for await (const item of readRecords(dataFile)) {
      if (item.kind === 'record') {
        columns = Object.keys(item.record);
        break;
      }
    }
    if (columns.length === 0) throw new Error(`No records found in ${dataFile}.`);
    label = await vscode.window.showQuickPick(columns.reverse(), { placeHolder: 'Which column is the label (what the model predicts)?' });
    if (!label) return undefined;
  }
  const owner = folders?.find((f) => dataFile!.startsWith(f.uri.fsPath + path.sep));
  const root = args.root ?? owner?.uri.fsPath ?? folders![0].uri.fsPath;
  let force = args.force ?? false;
  const target = path.join(root, 'mlloop.yaml');
  const exists = await vscode.workspace.fs.stat(vscode.Uri.file(target)).then(() => true, () => false);
  if (exists && !force) {
    const overwrite = 'Overwrite';
    if ((await vscode.window.showWarningMessage(`${target} exists. Overwrite it?`, { modal: true }, overwrite)) !== overwrite) return undefined;
    force = true;
  }
  const r = await initProject({ root, dataFile, label, force });
  log.info(`created ${r.file}: ${r.task}, ${r.features.length} features (${r.features.map((f) => `${f.name}:${f.type}`).join(', ')})`);
  for (const n of r.notes) log.info(`  note: ${n}`);
  if (!args.dataFile) {
    await vscode.window.showTextDocument(vscode.Uri.file(r.file));
    const importNow = 'Import Examples';
    void vscode.window.showInformationMessage(`ML Loop: created mlloop.yaml (${r.task}, ${r.features.length} features).`, importNow).then((c) => {
      if (c === importNow) void vscode.commands.executeCommand(COMMAND_IDS.importExamples, { root, files: [dataFile] });
    });
  }
  return r.file;
}
