/**
 * Model versions and their files. A version names one model forever:
 *  - its bundle's files are kept in the store (so every machine on a team store, and every
 *    later open of a local one, gets the same bytes) with a digest over them;
 *  - `.mlloop/models/<version>/` is a copy on disk for apps to load, written once (temp folder
 *    → rename) and never replaced by other content: a folder found there with other content
 *    (e.g. after the store was moved aside) is left alone, and new versions are numbered
 *    above every version in the store *and* on disk, so none is ever reused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectPaths } from '../project/workspace';
import type { BundleFile, ModelRecord, Store, StoreOps } from '../store/types';
import { UserError } from '../util/errors';
import { BUNDLE_FILES } from './bundle';

/** sha256 over the files by name (name, length, bytes): the same bundle gives the same digest anywhere. */
export function bundleDigest(files: BundleFile[]): string {
  const h = crypto.createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    h.update(f.name).update('\0').update(String(f.bytes.length)).update('\0').update(f.bytes);
  }
  return h.digest('hex');
}

/** The files of a bundle folder (regular files only, sorted by name). */
export function readBundleFolder(dir: string): BundleFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, bytes: new Uint8Array(fs.readFileSync(path.join(dir, e.name))) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Highest N of the `v<N>` folders under `modelsDir` (0 when none). */
export function maxVersionOnDisk(modelsDir: string): number {
  let max = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(modelsDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^v(\d+)(?:\.tmp-.*)?$/.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/**
 * Highest run id named by the bundle cards under `modelsDir` (0 when none): a bundle on disk
 * whose store was moved aside still says which run made it.
 */
export function maxRunIdInBundles(modelsDir: string): number {
  let max = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(modelsDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!/^v\d+$/.test(name)) continue;
    try {
      const card = JSON.parse(fs.readFileSync(path.join(modelsDir, name, BUNDLE_FILES.card), 'utf8')) as { runId?: unknown };
      if (typeof card.runId === 'number' && Number.isSafeInteger(card.runId) && card.runId > max) max = card.runId;
    } catch {
      // not a bundle (or an unreadable one): it names no run
    }
  }
  return max;
}

/**
 * The next model version: above every version in the store and every folder on disk.
 * Call it inside the unit of work that adds the model, so two processes never get the same one.
 */
export async function nextModelVersion(tx: StoreOps, paths: ProjectPaths): Promise<string> {
  return `v${Math.max(await tx.maxModelNumber(), maxVersionOnDisk(paths.modelsDir)) + 1}`;
}

/**
 * Writes a bundle's files to `dir` unless it is already there with the same content:
 * temp folder beside it (fsynced) → rename. Never replaces a folder with other content, and
 * leaves no temp folder behind on failure.
 * @throws UserError when `dir` holds other files (with what to do), or the disk is full.
 */
export function materializeBundle(dir: string, files: BundleFile[], digest: string): void {
  if (fs.existsSync(dir)) {
    if (bundleDigest(readBundleFolder(dir)) === digest) return;
    throw new UserError(
      `${dir} already holds a different model than the store's ${path.basename(dir)}; ML Loop never overwrites a bundle. ` +
        `Move that folder aside if it is not needed, then run the command again.`,
      { file: dir },
    );
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  try {
    fs.mkdirSync(tmp);
    for (const f of files) {
      const fd = fs.openSync(path.join(tmp, f.name), 'w', 0o644);
      try {
        let off = 0;
        while (off < f.bytes.length) off += fs.writeSync(fd, f.bytes, off, f.bytes.length - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      // Someone else wrote the same version meanwhile: fine if it is the same content.
      if (bundleDigest(readBundleFolder(dir)) === digest) return;
    }
    throw e;
  }
}

/** Removes temp folders left in `modelsDir` by processes that died while writing a bundle. */
export function removeStaleBundleTemps(modelsDir: string, alive: (pid: number) => boolean): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(modelsDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^v\d+\.tmp-(\d+)(?:-[0-9a-f]+)?$/.exec(name);
    if (m && !alive(Number(m[1]))) fs.rmSync(path.join(modelsDir, name), { recursive: true, force: true });
  }
}

/**
 * The folder of a model's bundle, written from the store's copy when it is missing (another
 * machine trained it, or the folder was deleted). Models from before bundles lived in the
 * store have no stored files; their folder is used as it is.
 * @throws UserError when neither the folder nor the store has the bundle.
 */
export async function ensureBundleOnDisk(store: Store, paths: ProjectPaths, model: ModelRecord): Promise<string> {
  const dir = path.resolve(paths.root, model.path);
  if (model.digest && fs.existsSync(dir)) {
    if (bundleDigest(readBundleFolder(dir)) === model.digest) return dir;
  } else if (!model.digest) {
    if (fs.existsSync(dir)) return dir;
    throw new UserError(`The bundle of model ${model.version} is missing: ${dir} does not exist and the store has no copy (it was trained before ML Loop kept bundles in the store).`, { file: dir });
  }
  const files = await store.getModelFiles(model.version);
  if (files.length === 0) throw new UserError(`The store has no files for model ${model.version}.`);
  if (fs.existsSync(dir)) {
    throw new UserError(
      `${dir} does not hold model ${model.version} as the store has it (its files differ). ML Loop never overwrites a bundle: move that folder aside and run the command again.`,
      { file: dir },
    );
  }
  materializeBundle(dir, files, model.digest!);
  return dir;
}
