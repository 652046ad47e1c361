/**
 * The sample project the walkthrough starts from: Fisher's iris data (150 rows, 4
 * measurements, 3 species) with its mlloop.yaml, shipped inside the extension in
 * media/sample/iris (a copy of examples/iris) and copied into the user's folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_FILE } from '../../core/project/parse';
import { UserError } from '../../core/util/errors';

/** The sample's folder inside the extension, relative to the extension root. */
export const SAMPLE_PROJECT_DIR = path.join('media', 'sample', 'iris');

/** Default folder name for the copy inside a workspace folder. */
export const SAMPLE_FOLDER_NAME = 'iris-sample';

/**
 * A folder under `parent` named `base`, or `base-2`, `base-3`, … — the first that does not
 * exist yet, so a second sample never overwrites the first.
 */
export function unusedFolder(parent: string, base: string): string {
  for (let i = 1; ; i++) {
    const candidate = path.join(parent, i === 1 ? base : `${base}-${i}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** True when `dir` does not exist or holds nothing but dotfiles (e.g. a fresh `.git`, `.vscode`). */
export function isEffectivelyEmpty(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  return fs.readdirSync(dir).every((name) => name.startsWith('.'));
}

/**
 * Copies the sample project from `sampleDir` into `target` (created with its parents when
 * missing). Existing files are never overwritten.
 * @returns the path of the copied mlloop.yaml.
 * @throws UserError when `target` already holds an mlloop.yaml or any file the sample has.
 */
export function copySampleProject(sampleDir: string, target: string): string {
  if (fs.existsSync(path.join(target, PROJECT_FILE))) {
    throw new UserError(`${target} already holds an ${PROJECT_FILE}; choose an empty folder for the sample project.`, { file: target });
  }
  const files = listFiles(sampleDir);
  const clash = files.find((f) => fs.existsSync(path.join(target, f)));
  if (clash) throw new UserError(`${path.join(target, clash)} exists; choose an empty folder for the sample project.`, { file: target });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(target, f)), { recursive: true });
    fs.copyFileSync(path.join(sampleDir, f), path.join(target, f), fs.constants.COPYFILE_EXCL);
  }
  return path.join(target, PROJECT_FILE);
}

/** Files under `dir`, as paths relative to it (sorted). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}
