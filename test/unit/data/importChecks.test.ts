import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { absentFeatureWarnings, guessCsvDelimiter, ImportChecks } from '../../../src/core/data/importChecks';
import { readRecords } from '../../../src/core/data/readers';
import type { FeatureSpec } from '../../../src/core/project/types';
import { UserError } from '../../../src/core/util/errors';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-import-checks-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const features: FeatureSpec[] = [
  { name: 'age', type: 'numeric', transform: 'standardize', impute: 'mean' },
  { name: 'city', type: 'categorical', maxCategories: 50, minCount: 1 },
];

/** Reads `content` as file `name` through the checks; returns the items it let through. */
async function watch(checks: ImportChecks, name: string, content: string): Promise<number> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  let n = 0;
  for await (const item of checks.watch(name, file, undefined, readRecords(file))) if (item) n++;
  return n;
}

describe('import checks over a whole file (issue 12, items 14, 15, 19)', () => {
  it('says once that a CSV has no label column, listing the columns and the delimiter it looks like', async () => {
    const checks = new ImportChecks({ label: 'y', features });
    await assert.rejects(watch(checks, 'semi.csv', 'age;city;y\n1;a;x\n2;b;z\n'), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, "'semi.csv' has no column 'y' (the label in mlloop.yaml); its columns are 'age;city;y'. The header looks separated by ';', not by commas: ML Loop reads comma-separated files, so save the file with commas as the separator.");
      assert.deepEqual(e.location, { file: 'semi.csv', line: 1 });
      return true;
    });
  });

  it('suggests the column a misspelled label was meant to be', async () => {
    const checks = new ImportChecks({ label: 'species', features });
    await assert.rejects(watch(checks, 'rows.csv', 'age,city,Species\n1,a,x\n'), /has no column 'species'.*Did you mean 'Species'\?/);
  });

  it('says once that no JSON record has the label key, after reading them all', async () => {
    const checks = new ImportChecks({ label: 'y', features });
    await assert.rejects(watch(checks, 'rows.jsonl', '{"age": 1, "label": "a"}\n{"age": 2, "label": "b"}\n'), /'rows.jsonl' has no key 'y' .*its keys are 'age', 'label'/);
  });

  it('lets rows through when some JSON records lack the label (those are rejected one by one)', async () => {
    const checks = new ImportChecks({ label: 'y', features });
    assert.equal(await watch(checks, 'some.jsonl', '{"age": 1}\n{"age": 2, "y": "b", "city": "c"}\n'), 2);
    assert.deepEqual(checks.warnings(), []);
  });

  it('warns about a feature that no row has, with the column it was probably meant to be', async () => {
    const checks = new ImportChecks({ label: 'y', features });
    await watch(checks, 'typo.csv', 'agee,city,y\n1,a,x\n2,b,z\n');
    assert.deepEqual(checks.warnings(), ["No row imported from 'typo.csv' has a value for feature 'age': it would train as a constant. Did you mean 'agee'? Fix the name in mlloop.yaml."]);
  });

  it('warns about an empty file and a header-only file, and counts them', async () => {
    const checks = new ImportChecks({ label: 'y', features });
    await watch(checks, 'empty.csv', '');
    await watch(checks, 'header.csv', 'age,city,y\n');
    assert.equal(checks.emptyFiles, 2);
    assert.deepEqual(checks.warnings(), [
      "'empty.csv' is empty: nothing was imported from it.",
      "'header.csv' has no rows (only a header, or blank lines): nothing was imported from it.",
    ]);
  });

  it('guesses ;, tab and | as delimiters, and nothing for a plain name', () => {
    assert.equal(guessCsvDelimiter(['a;b;c']), ';');
    assert.equal(guessCsvDelimiter(['a\tb']), '\t');
    assert.equal(guessCsvDelimiter(['a|b|c|d']), '|');
    assert.equal(guessCsvDelimiter(['species']), undefined);
  });
});

describe('absentFeatureWarnings: a feature no training row has (issue 12, item 14)', () => {
  it('names each absent feature, and nothing when every feature appears somewhere', () => {
    const rows = [{ age: 3, y: 'a' }, { age: '', agee: 4, y: 'b' }];
    assert.deepEqual(absentFeatureWarnings(features, rows, 'y'), [
      "No row of the training set has a value for feature 'city': it would train as a constant. Check its name in mlloop.yaml (the columns are 'age', 'agee').",
    ]);
    assert.deepEqual(absentFeatureWarnings(features, [{ age: 1, city: 'x' }]), []);
  });

  it("does not take an Object.prototype member for a feature's value", () => {
    const proto: FeatureSpec[] = [{ name: 'constructor', type: 'categorical', maxCategories: 5, minCount: 1 }];
    assert.equal(absentFeatureWarnings(proto, [{ y: 'a' }], 'y').length, 1);
  });
});
