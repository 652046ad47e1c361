/**
 * What the editor offers and explains in mlloop.yaml, read from the JSON Schema
 * (src/extension/editor/schemaModel.ts): keys per place, values per key, type labels and
 * hover text.
 *
 * Expectations are read from schemas/mlloop.schema.json itself (not copied into the test),
 * so a key, enum value, default or description added to or changed in the schema that the
 * model does not follow fails here, and a schema edit the model does follow passes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectSchema } from '../../../src/core/project/parse';
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
  type DiscriminatorReader,
  type ObjectShape,
  type PathSegment,
  type PropertyInfo,
  type SchemaNode,
} from '../../../src/extension/editor/schemaModel';
import { completionContextAt } from '../../../src/extension/editor/yamlCursor';

/** The schema file as it is on disk (the test's source of expectations). */
const FILE: SchemaNode = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../schemas/mlloop.schema.json'), 'utf8'));
/** What the editor's providers pass to the model. */
const ROOT = projectSchema() as SchemaNode;

const noType: DiscriminatorReader = () => undefined;

/** A reader for a document where the objects at the given paths have the given `type`. */
function typesAt(...entries: Array<[PathSegment[], string]>): DiscriminatorReader {
  return (objectPath, propertyName) =>
    propertyName === 'type' ? entries.find(([p]) => JSON.stringify(p) === JSON.stringify(objectPath))?.[1] : undefined;
}

function fileProp(node: SchemaNode | undefined, key: string): SchemaNode {
  const s = node?.properties?.[key];
  assert.ok(s, `the schema file has ${key}`);
  return s;
}

const FILE_FEATURE = FILE.properties!.features.items!;
const FILE_MODEL = FILE.properties!.model;
const FILE_TRAINING = FILE.properties!.training;
const FILE_EARLY_STOPPING = fileProp(FILE_TRAINING, 'earlyStopping');

/** The branch of a discriminated oneOf in the file whose `type` const is `tag`. */
function fileBranch(node: SchemaNode, tag: string): SchemaNode {
  const branch = node.oneOf?.find((b) => b.properties?.type?.const === tag);
  assert.ok(branch, `the schema file has a branch with type ${tag}`);
  return branch;
}

function branchTags(node: SchemaNode): string[] {
  return (node.oneOf ?? []).map((b) => b.properties!.type.const as string);
}

function shapeAt(objectPath: PathSegment[], reader: DiscriminatorReader): ObjectShape {
  const shape = objectShapeAt(ROOT, objectPath, reader);
  assert.ok(shape, `an object shape at ${formatPath(objectPath)}`);
  return shape;
}

function names(shape: ObjectShape): string[] {
  return shape.properties.map((p) => p.name);
}

function property(objectPath: PathSegment[], key: string, reader: DiscriminatorReader = noType): PropertyInfo {
  const p = propertyAt(ROOT, objectPath, key, reader);
  assert.ok(p, `${key} is known at ${formatPath(objectPath)}`);
  return p;
}

/** Markdown with the model's backslash escapes removed, to compare with plain schema text. */
function unescapeMarkdown(md: string): string {
  return md.replace(/\\([\\*_[\]<>])/g, '$1');
}

/** A default as the hover should print it: strings bare, lists in flow style. */
function expectedLiteral(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(expectedLiteral).join(', ')}]` : String(v);
}

/**
 * Every object in the schema file, with the path a document would reach it by and, for a
 * oneOf branch, the `type` values the document must have on the way to select it.
 */
interface ObjectPlace {
  path: PathSegment[];
  types: Array<[PathSegment[], string]>;
  properties: Record<string, SchemaNode>;
  required: string[];
  discriminated: boolean;
}

function objectPlaces(node: SchemaNode, at: PathSegment[] = [], types: Array<[PathSegment[], string]> = []): ObjectPlace[] {
  const out: ObjectPlace[] = [];
  const visit = (properties: Record<string, SchemaNode>, required: string[], discriminated: boolean, t: Array<[PathSegment[], string]>) => {
    out.push({ path: at, types: t, properties, required, discriminated });
    for (const [key, child] of Object.entries(properties)) out.push(...objectPlaces(child, [...at, key], t));
  };
  if (node.properties) visit(node.properties, node.required ?? [], false, types);
  if (node.oneOf && node.discriminator) {
    for (const branch of node.oneOf) {
      const tag = branch.properties![node.discriminator.propertyName].const as string;
      visit(branch.properties!, [...(node.required ?? []), ...(branch.required ?? [])], true, [...types, [at, tag]]);
    }
  }
  // Index 3: any index reaches the same item schema.
  if (node.items) out.push(...objectPlaces(node.items, [...at, 3], types));
  return out;
}

const PLACES = objectPlaces(FILE);

describe('schemaModel: the schema the editor reads', () => {
  it('is the schema file (the providers pass projectSchema(), which must be schemas/mlloop.schema.json)', () => {
    assert.deepEqual(ROOT, FILE);
  });

  it('the walk over the schema file used below reaches every kind of object in it', () => {
    const where = PLACES.map((p) => `${formatPath(p.path)}${p.discriminated ? `(${p.types[p.types.length - 1][1]})` : ''}`);
    for (const expected of ['(root)', 'training', 'training.earlyStopping', 'data', 'data.sources[3]', 'calibration', 'evaluation']) {
      assert.ok(where.includes(expected), `${expected} in ${where.join(', ')}`);
    }
    for (const tag of branchTags(FILE_FEATURE)) assert.ok(where.includes(`features[3](${tag})`), tag);
    for (const tag of branchTags(FILE_MODEL)) assert.ok(where.includes(`model(${tag})`), tag);
  });
});

describe('schemaModel: keys offered at a place', () => {
  it('every object of the schema file offers exactly its keys, in file order, with their required flags and schemas', () => {
    for (const place of PLACES) {
      const where = `${formatPath(place.path)} ${JSON.stringify(place.types)}`;
      const shape = shapeAt(place.path, typesAt(...place.types));
      assert.deepEqual(names(shape), Object.keys(place.properties), where);
      for (const p of shape.properties) {
        assert.equal(p.required, place.required.includes(p.name), `${where} ${p.name} required`);
        assert.equal(p.onlyFor, undefined, `${where} ${p.name}: the branch is known, so no "only for"`);
        if (p.isDiscriminator) continue;
        assert.deepEqual(p.schema, place.properties[p.name], `${where} ${p.name}: the file's schema (description, default, enum)`);
      }
    }
  });

  it('at the top level: the file\'s keys, with version, task, label and features required as the file says', () => {
    const shape = shapeAt([], noType);
    assert.deepEqual(names(shape), Object.keys(FILE.properties!));
    assert.deepEqual(shape.properties.filter((p) => p.required).map((p) => p.name), FILE.required);
    assert.equal(shape.discriminator, undefined);
    assert.ok(shape.properties.every((p) => !p.isDiscriminator));
  });

  it('in training and in training.earlyStopping: their own keys, none required', () => {
    const training = shapeAt(['training'], noType);
    assert.deepEqual(names(training), Object.keys(FILE_TRAINING.properties!));
    assert.ok(training.properties.every((p) => !p.required));
    const early = shapeAt(['training', 'earlyStopping'], noType);
    assert.deepEqual(names(early), Object.keys(FILE_EARLY_STOPPING.properties!));
    assert.notDeepEqual(names(early), names(training));
  });

  it('in a feature without a type: every branch\'s keys, each marked with the types that allow it', () => {
    const shape = shapeAt(['features', 0], noType);
    const tags = branchTags(FILE_FEATURE);
    const union: string[] = [];
    for (const b of FILE_FEATURE.oneOf!) for (const k of Object.keys(b.properties!)) if (!union.includes(k)) union.push(k);
    assert.deepEqual(names(shape), union);
    assert.ok(union.length > Object.keys(fileBranch(FILE_FEATURE, 'numeric').properties!).length, 'the union is more than one branch');
    for (const p of shape.properties) {
      const allowedBy = tags.filter((t) => fileBranch(FILE_FEATURE, t).properties![p.name] !== undefined);
      if (p.isDiscriminator || allowedBy.length === tags.length) assert.equal(p.onlyFor, undefined, `${p.name} is valid for every type`);
      else assert.deepEqual(p.onlyFor, allowedBy, `${p.name} only for ${allowedBy.join(', ')}`);
    }
    assert.equal(shape.properties.find((p) => p.name === 'transform')?.onlyFor?.includes('numeric'), true);
    assert.deepEqual(shape.properties.filter((p) => p.required).map((p) => p.name).sort(), [...FILE_FEATURE.required!].sort());
  });

  it('in a feature without a type: `type` is the discriminator, offering every branch with its description', () => {
    const shape = shapeAt(['features', 0], noType);
    const type = shape.properties.find((p) => p.name === 'type');
    assert.ok(type?.isDiscriminator);
    assert.equal(type.required, true);
    assert.deepEqual(type.schema.enum, branchTags(FILE_FEATURE));
    assert.deepEqual(shape.discriminator?.propertyName, FILE_FEATURE.discriminator!.propertyName);
    assert.equal(shape.discriminator?.selected, undefined);
    assert.deepEqual(
      shape.discriminator?.values,
      FILE_FEATURE.oneOf!.map((b) => ({ value: b.properties!.type.const, description: b.properties!.type.description })),
    );
  });

  it('in a feature with a type: only that type\'s keys, for every type', () => {
    for (const tag of branchTags(FILE_FEATURE)) {
      const shape = shapeAt(['features', 2], typesAt([['features', 2], tag]));
      assert.deepEqual(names(shape), Object.keys(fileBranch(FILE_FEATURE, tag).properties!), tag);
      assert.equal(shape.discriminator?.selected, tag);
      assert.ok(shape.properties.every((p) => p.onlyFor === undefined), `${tag}: no "only for" notes once the type is known`);
    }
    const numeric = names(shapeAt(['features', 0], typesAt([['features', 0], 'numeric'])));
    const text = names(shapeAt(['features', 0], typesAt([['features', 0], 'text'])));
    assert.notDeepEqual(numeric, text);
  });

  it('in a feature with a misspelt type: every branch\'s keys, as with no type', () => {
    const misspelt = shapeAt(['features', 0], typesAt([['features', 0], 'numerc']));
    assert.deepEqual(misspelt, shapeAt(['features', 0], noType));
  });

  it('asks the document for the type of the object at the path being completed', () => {
    const asked: Array<[PathSegment[], string]> = [];
    objectShapeAt(ROOT, ['features', 4], (p, prop) => {
      asked.push([p, prop]);
      return undefined;
    });
    assert.deepEqual(asked, [[['features', 4], 'type']]);
  });

  it('in the model: mlp and logistic offer their own keys, and no type offers both', () => {
    const mlp = shapeAt(['model'], typesAt([['model'], 'mlp']));
    const logistic = shapeAt(['model'], typesAt([['model'], 'logistic']));
    assert.deepEqual(names(mlp), Object.keys(fileBranch(FILE_MODEL, 'mlp').properties!));
    assert.deepEqual(names(logistic), Object.keys(fileBranch(FILE_MODEL, 'logistic').properties!));
    assert.ok(names(mlp).includes('hidden') && !names(logistic).includes('hidden'));
    assert.ok(names(logistic).includes('l2') && !names(mlp).includes('l2'));
    const untyped = shapeAt(['model'], noType);
    assert.equal(untyped.properties.find((p) => p.name === 'hidden')?.onlyFor?.join(), 'mlp');
    assert.equal(untyped.properties.find((p) => p.name === 'l2')?.onlyFor?.join(), 'logistic');
    assert.equal(untyped.properties.find((p) => p.name === 'type')?.required, FILE_MODEL.required!.includes('type'));
  });

  it('gives the same answer when asked twice (no state kept between calls)', () => {
    const first = shapeAt(['features', 0], noType);
    const second = shapeAt(['features', 0], noType);
    assert.deepEqual(second, first);
    assert.deepEqual(shapeAt(['model'], noType), shapeAt(['model'], noType));
  });

  it('is undefined where the schema has no object with known keys', () => {
    assert.equal(objectShapeAt(ROOT, ['task'], noType), undefined, 'a scalar');
    assert.equal(objectShapeAt(ROOT, ['features'], noType), undefined, 'the list itself');
    assert.equal(objectShapeAt(ROOT, ['model', 'hidden'], typesAt([['model'], 'mlp'])), undefined, 'a list of numbers');
    assert.equal(objectShapeAt(ROOT, ['training', 'batchSize'], noType), undefined);
    assert.equal(objectShapeAt(ROOT, ['nope'], noType), undefined, 'an unknown key');
    assert.equal(objectShapeAt(ROOT, ['training', 'nope', 'deeper'], noType), undefined);
  });
});

describe('schemaModel: keys offered in a document being edited (with yamlCursor, as completion does)', () => {
  /** The keys completion offers at the cursor '‸': the shape's keys not written yet. */
  function offeredKeys(marked: string): string[] {
    const offset = marked.indexOf('‸');
    const ctx = completionContextAt(marked.slice(0, offset) + marked.slice(offset + 1), offset);
    assert.ok(ctx && ctx.kind === 'key', `a key is typed in ${JSON.stringify(marked)}`);
    const shape = shapeAt(ctx.objectPath, ctx.readDiscriminator);
    return names(shape).filter((n) => !ctx.existingKeys.includes(n));
  }
  const keysOf = (node: SchemaNode, ...without: string[]) => Object.keys(node.properties!).filter((k) => !without.includes(k));

  it('a text feature in block style offers the text keys not written yet', () => {
    assert.deepEqual(offeredKeys('features:\n  - name: a\n    type: text\n    ‸'), keysOf(fileBranch(FILE_FEATURE, 'text'), 'name', 'type'));
  });

  it('a text feature in flow style, `- { name: a, type: text, ‸ }`, offers the same', () => {
    assert.deepEqual(offeredKeys('features:\n  - { name: a, type: text, ‸ }'), keysOf(fileBranch(FILE_FEATURE, 'text'), 'name', 'type'));
    assert.deepEqual(offeredKeys('features: [{name: a, type: numeric, ‸}]'), keysOf(fileBranch(FILE_FEATURE, 'numeric'), 'name', 'type'));
  });

  it('a feature with only a name offers type and every type\'s keys', () => {
    const offered = offeredKeys('features:\n  - name: a\n    ‸');
    assert.ok(offered.includes('type'));
    for (const tag of branchTags(FILE_FEATURE)) for (const k of keysOf(fileBranch(FILE_FEATURE, tag), 'name')) assert.ok(offered.includes(k), `${k} (${tag})`);
    assert.ok(!offered.includes('name'));
  });

  it('an empty new list item offers name and type among the feature keys', () => {
    const offered = offeredKeys('features:\n  - name: a\n    type: numeric\n  - ‸');
    assert.ok(offered.includes('name') && offered.includes('type'));
  });

  it('a logistic model offers only l2; an mlp model its own keys', () => {
    assert.deepEqual(offeredKeys('model:\n  type: logistic\n  ‸'), keysOf(fileBranch(FILE_MODEL, 'logistic'), 'type'));
    assert.deepEqual(offeredKeys('model: { type: mlp, ‸ }'), keysOf(fileBranch(FILE_MODEL, 'mlp'), 'type'));
  });

  it('the top level offers the keys not written yet, and earlyStopping its own', () => {
    assert.deepEqual(offeredKeys('version: 1\ntask: binary\n‸'), keysOf(FILE, 'version', 'task'));
    assert.deepEqual(offeredKeys('training:\n  earlyStopping:\n    patience: 3\n    ‸'), keysOf(FILE_EARLY_STOPPING, 'patience'));
  });
});

describe('schemaModel: the schema at a path', () => {
  it('follows keys and list indices to the file\'s schema', () => {
    assert.equal(schemaAtPath(ROOT, [], noType), ROOT);
    assert.deepEqual(schemaAtPath(ROOT, ['training', 'earlyStopping', 'patience'], noType), fileProp(FILE_EARLY_STOPPING, 'patience'));
    assert.deepEqual(schemaAtPath(ROOT, ['data', 'sources', 7, 'format'], noType), FILE.properties!.data.properties!.sources.items!.properties!.format);
    assert.deepEqual(schemaAtPath(ROOT, ['model', 'hidden', 2], typesAt([['model'], 'mlp'])), fileProp(fileBranch(FILE_MODEL, 'mlp'), 'hidden').items);
  });

  it('in a feature, the branch its type selects decides which keys exist', () => {
    const numeric = typesAt([['features', 5], 'numeric']);
    const text = typesAt([['features', 5], 'text']);
    assert.deepEqual(schemaAtPath(ROOT, ['features', 5, 'transform'], numeric), fileProp(fileBranch(FILE_FEATURE, 'numeric'), 'transform'));
    assert.equal(schemaAtPath(ROOT, ['features', 5, 'transform'], text), undefined, 'text features have no transform');
    assert.equal(schemaAtPath(ROOT, ['model', 'l2'], typesAt([['model'], 'mlp'])), undefined, 'an mlp has no l2');
  });

  it('without a type, the first branch that has the key', () => {
    assert.deepEqual(schemaAtPath(ROOT, ['features', 0, 'lowercase'], noType), fileProp(fileBranch(FILE_FEATURE, 'text'), 'lowercase'));
    assert.deepEqual(schemaAtPath(ROOT, ['model', 'l2'], noType), fileProp(fileBranch(FILE_MODEL, 'logistic'), 'l2'));
  });

  it('reads the type of the object on the way, not of its parent', () => {
    const asked: string[] = [];
    schemaAtPath(ROOT, ['features', 1, 'ngrams', 0], (p, prop) => {
      asked.push(`${formatPath(p)}.${prop}`);
      return 'text';
    });
    assert.deepEqual(asked, ['features[1].type']);
  });

  it('is undefined where the schema describes nothing', () => {
    assert.equal(schemaAtPath(ROOT, ['nope'], noType), undefined);
    assert.equal(schemaAtPath(ROOT, ['task', 0], noType), undefined, 'an index into a scalar');
    assert.equal(schemaAtPath(ROOT, ['features', 'name'], noType), undefined, 'a key of a list');
    assert.equal(schemaAtPath(ROOT, ['training', 'nope', 'x'], noType), undefined);
  });
});

describe('schemaModel: values offered for a key', () => {
  it('every key with an enum in the schema file offers exactly its values, with its default marked', () => {
    let enums = 0;
    for (const place of PLACES) {
      const reader = typesAt(...place.types);
      const shape = shapeAt(place.path, reader);
      for (const [key, s] of Object.entries(place.properties)) {
        if (!s.enum) continue;
        const p = shape.properties.find((q) => q.name === key)!;
        const options = valueOptions(p, shape);
        const where = formatPath([...place.path, key]);
        assert.deepEqual(options.map((o) => o.value), s.enum, where);
        assert.deepEqual(options.filter((o) => o.isDefault).map((o) => o.value), s.default === undefined ? [] : [s.default], `${where} default`);
        assert.ok(options.every((o) => o.description === s.description), `${where} descriptions`);
        enums++;
      }
    }
    assert.ok(enums >= 8, `${enums} enum keys checked`);
  });

  it('task offers the file\'s tasks, none preselected', () => {
    const options = valueOptions(property([], 'task'));
    assert.deepEqual(options.map((o) => o.value), FILE.properties!.task.enum);
    assert.ok(options.every((o) => !o.isDefault));
  });

  it('a feature\'s type offers every branch with the branch\'s description, typed or not', () => {
    const expected = FILE_FEATURE.oneOf!.map((b) => ({ value: b.properties!.type.const, description: b.properties!.type.description, isDefault: false }));
    for (const reader of [noType, typesAt([['features', 0], 'numeric'])]) {
      const shape = shapeAt(['features', 0], reader);
      assert.deepEqual(valueOptions(property(['features', 0], 'type', reader), shape), expected);
    }
  });

  it('the model\'s type offers mlp and logistic (the file\'s branches)', () => {
    const shape = shapeAt(['model'], noType);
    assert.deepEqual(valueOptions(property(['model'], 'type'), shape).map((o) => o.value), branchTags(FILE_MODEL));
  });

  it('booleans offer true and false, with the file\'s default marked', () => {
    for (const [objectPath, key, reader, fileSchema] of [
      [['training', 'earlyStopping'], 'enabled', noType, fileProp(FILE_EARLY_STOPPING, 'enabled')],
      [['features', 0], 'missing', typesAt([['features', 0], 'boolean']), fileProp(fileBranch(FILE_FEATURE, 'boolean'), 'missing')],
      [['features', 0], 'lowercase', typesAt([['features', 0], 'text']), fileProp(fileBranch(FILE_FEATURE, 'text'), 'lowercase')],
    ] as Array<[PathSegment[], string, DiscriminatorReader, SchemaNode]>) {
      const options = valueOptions(property(objectPath, key, reader));
      assert.deepEqual(options.map((o) => o.value), [true, false], key);
      assert.deepEqual(options.filter((o) => o.isDefault).map((o) => o.value), [fileSchema.default], `${key} default`);
    }
  });

  it('a number or list without an enum offers its default alone, marked', () => {
    const batch = valueOptions(property(['training'], 'batchSize'));
    assert.deepEqual(batch, [{ value: fileProp(FILE_TRAINING, 'batchSize').default, description: fileProp(FILE_TRAINING, 'batchSize').description, isDefault: true }]);
    const hidden = valueOptions(property(['model'], 'hidden', typesAt([['model'], 'mlp'])));
    assert.deepEqual(hidden.map((o) => [o.value, o.isDefault]), [[fileProp(fileBranch(FILE_MODEL, 'mlp'), 'hidden').default, true]]);
    const ngrams = valueOptions(property(['features', 0], 'ngrams', typesAt([['features', 0], 'text'])));
    assert.deepEqual(ngrams.map((o) => o.value), [fileProp(fileBranch(FILE_FEATURE, 'text'), 'ngrams').default]);
  });

  it('the version offers its const', () => {
    assert.deepEqual(valueOptions(property([], 'version')).map((o) => o.value), [FILE.properties!.version.const]);
  });

  it('free strings offer nothing', () => {
    assert.deepEqual(valueOptions(property([], 'label')), []);
    assert.deepEqual(valueOptions(property(['features', 0], 'name')), []);
    assert.deepEqual(valueOptions(property(['evaluation'], 'importanceMetric')), []);
  });

  it('an object-valued default is not offered as a value', () => {
    assert.deepEqual(valueOptions({ name: 'x', schema: { type: 'object', default: { a: 1 } }, required: false, isDiscriminator: false }), []);
  });
});

describe('schemaModel: value kinds and type labels', () => {
  it('value kinds decide how completion inserts a key (nested block, list of objects, flow list, inline)', () => {
    const kind = (objectPath: PathSegment[], key: string, reader: DiscriminatorReader = noType) => valueKind(property(objectPath, key, reader).schema);
    assert.equal(kind([], 'training'), 'object');
    assert.equal(kind(['training'], 'earlyStopping'), 'object');
    assert.equal(kind([], 'model'), 'object');
    assert.equal(kind([], 'features'), 'arrayOfObjects');
    assert.equal(kind(['data'], 'sources'), 'arrayOfObjects');
    assert.equal(kind(['model'], 'hidden', typesAt([['model'], 'mlp'])), 'array');
    assert.equal(kind(['features', 0], 'ngrams', typesAt([['features', 0], 'text'])), 'array');
    assert.equal(kind([], 'task'), 'scalar');
    assert.equal(kind([], 'version'), 'scalar');
    assert.equal(kind(['training', 'earlyStopping'], 'enabled'), 'scalar');
    assert.equal(valueKind({ discriminator: { propertyName: 'type' }, oneOf: [] }), 'object', 'a discriminated oneOf without `type` is an object');
  });

  it('type labels show the file\'s bounds', () => {
    const t = (s: SchemaNode) => typeLabel(s);
    const batch = fileProp(FILE_TRAINING, 'batchSize');
    assert.equal(t(batch), `integer (≥ ${batch.minimum}, ≤ ${batch.maximum})`);
    const lr = fileProp(FILE_TRAINING, 'learningRate');
    assert.equal(t(lr), `number (> ${lr.exclusiveMinimum}, ≤ ${lr.maximum})`);
    const dropout = fileProp(fileBranch(FILE_MODEL, 'mlp'), 'dropout');
    assert.equal(t(dropout), `number (≥ ${dropout.minimum}, < ${dropout.exclusiveMaximum})`);
    const ngrams = fileProp(fileBranch(FILE_FEATURE, 'text'), 'ngrams');
    assert.equal(t(ngrams), `array of integer (≥ ${ngrams.items!.minimum}, ≤ ${ngrams.items!.maximum}) (${ngrams.minItems} items)`);
    assert.equal(t(FILE.properties!.features), `array of object (at least ${FILE.properties!.features.minItems})`);
    assert.equal(t(FILE.properties!.version), `integer, always ${FILE.properties!.version.const}`);
    assert.equal(t(FILE.properties!.task), 'string');
    assert.equal(t(fileProp(FILE_TRAINING, 'seed')), 'integer');
    assert.equal(t(fileProp(FILE_EARLY_STOPPING, 'enabled')), 'boolean');
  });

  it('type labels of schemas the file does not use yet', () => {
    assert.equal(typeLabel({}), 'any');
    assert.equal(typeLabel({ type: 'array' }), 'array of any');
    assert.equal(typeLabel({ enum: ['a', 1] }), 'string | number');
    assert.equal(typeLabel({ const: 'numeric' }), 'string, always numeric');
    assert.equal(typeLabel({ type: ['integer', 'null'], minimum: 0 }), 'integer | null (≥ 0)');
    assert.equal(typeLabel({ type: 'integer', minimum: 0 }), 'integer (≥ 0)', 'a bound of 0 is still shown');
  });
});

describe('schemaModel: paths and literals as people read them', () => {
  it('formats paths with dots and indices', () => {
    assert.equal(formatPath([]), '(root)');
    assert.equal(formatPath(['task']), 'task');
    assert.equal(formatPath(['features', 2, 'transform']), 'features[2].transform');
    assert.equal(formatPath(['training', 'earlyStopping']), 'training.earlyStopping');
    assert.equal(formatPath(['model', 'hidden', 0]), 'model.hidden[0]');
    assert.equal(formatPath([0]), '[0]');
  });

  it('writes values as YAML: strings bare, lists in flow style', () => {
    assert.equal(yamlLiteral('val_loss'), 'val_loss');
    assert.equal(yamlLiteral([64, 32]), '[64, 32]');
    assert.equal(yamlLiteral(0.0001), '0.0001');
    assert.equal(yamlLiteral(true), 'true');
    assert.equal(yamlLiteral([['a', 1], []]), '[[a, 1], []]');
  });
});

describe('schemaModel: hover and completion text', () => {
  it('every key of the schema file is described with the file\'s description, type, allowed values and default', () => {
    let described = 0;
    for (const place of PLACES) {
      const reader = typesAt(...place.types);
      const shape = shapeAt(place.path, reader);
      for (const p of shape.properties) {
        if (p.isDiscriminator) continue;
        const s = place.properties[p.name];
        const where = formatPath([...place.path, p.name]);
        const md = describeProperty(p, where, shape);
        const lines = md.split('\n');
        assert.equal(lines[0], `**${p.name}** — \`${where}\`${place.required.includes(p.name) ? ' (required)' : ''}`, where);
        if (s.description) assert.ok(unescapeMarkdown(md).includes(s.description), `${where}: description`);
        assert.ok(lines.includes(`Type: ${typeLabel(s)}`), `${where}: type`);
        if (s.enum) assert.ok(lines.includes(`Allowed values: ${s.enum.map((v) => `\`${v}\``).join(', ')}`), `${where}: enum`);
        if (s.default !== undefined) assert.ok(lines.includes(`Default: \`${expectedLiteral(s.default)}\``), `${where}: default`);
        else assert.ok(!md.includes('Default:'), `${where}: no default`);
        described++;
      }
    }
    assert.ok(described > 40, `${described} keys described`);
  });

  it('a key of one feature type says which type, while the type is not written', () => {
    const numericOnly = branchTags(FILE_FEATURE).filter((t) => fileBranch(FILE_FEATURE, t).properties!.transform);
    const shape = shapeAt(['features', 2], noType);
    const md = describeProperty(property(['features', 2], 'transform'), 'features[2].transform', shape);
    assert.ok(md.endsWith(`Only for type: ${numericOnly.map((t) => `\`${t}\``).join(', ')}`), md);
    const typed = typesAt([['features', 2], 'numeric']);
    const known = describeProperty(property(['features', 2], 'transform', typed), 'features[2].transform', shapeAt(['features', 2], typed));
    assert.ok(!known.includes('Only for'), 'no note once the type is numeric');
  });

  it('the type of a feature lists every type with its description', () => {
    const shape = shapeAt(['features', 0], noType);
    const md = describeProperty(property(['features', 0], 'type'), 'features[0].type', shape);
    assert.ok(md.startsWith('**type** — `features[0].type` (required)'), md);
    for (const b of FILE_FEATURE.oneOf!) {
      const t = b.properties!.type;
      assert.ok(unescapeMarkdown(md).includes(`- \`${t.const}\` — ${t.description}`), `${t.const} listed`);
    }
  });

  it('escapes markdown in descriptions but keeps their `code`', () => {
    const classWeight = fileProp(FILE_TRAINING, 'classWeight').description!;
    assert.ok(classWeight.includes('_'), 'the schema still has a description with an underscore to test with');
    const md = describeProperty(property(['training'], 'classWeight'), 'training.classWeight');
    assert.ok(md.includes(classWeight.replace(/_/g, '\\_')), md);
    const data = FILE.properties!.data.description!;
    assert.ok(data.includes('`'), 'the schema still has a description with code to test with');
    assert.ok(describeProperty(property([], 'data'), 'data').includes(data), 'backticks are left alone');
  });
});
