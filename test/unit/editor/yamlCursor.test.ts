/**
 * Where the cursor is in an mlloop.yaml being edited (src/extension/editor/yamlCursor.ts):
 * the object a key is typed into, the key a value is typed for, and what lies under the
 * mouse, in block and flow style, in half-written and broken documents.
 *
 * Documents are written with a '‸' where the cursor is; `at()` removes it and passes its
 * offset. The marker is one UTF-16 code unit, like the offsets editors use.
 */
import assert from 'node:assert/strict';
import { completionContextAt, nodeAt, wordRangeAt, type CompletionContext, type NodeAtPosition } from '../../../src/extension/editor/yamlCursor';

const CURSOR = '‸';

/** The text without the cursor marker, and the marker's offset. */
function splitCursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf(CURSOR);
  assert.ok(offset >= 0 && marked.indexOf(CURSOR, offset + 1) < 0, `exactly one ${CURSOR} in ${JSON.stringify(marked)}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

function contextAt(marked: string): CompletionContext | undefined {
  const { text, offset } = splitCursor(marked);
  return completionContextAt(text, offset);
}

function keyContext(marked: string): Extract<CompletionContext, { kind: 'key' }> {
  const ctx = contextAt(marked);
  assert.ok(ctx, `a completion context in ${JSON.stringify(marked)}`);
  assert.equal(ctx.kind, 'key', `a key is typed in ${JSON.stringify(marked)}, got ${JSON.stringify(ctx)}`);
  return ctx;
}

function valueContext(marked: string): Extract<CompletionContext, { kind: 'value' }> {
  const ctx = contextAt(marked);
  assert.ok(ctx, `a completion context in ${JSON.stringify(marked)}`);
  assert.equal(ctx.kind, 'value', `a value is typed in ${JSON.stringify(marked)}, got ${JSON.stringify(ctx)}`);
  return ctx;
}

function hoverAt(marked: string): NodeAtPosition | undefined {
  const { text, offset } = splitCursor(marked);
  return nodeAt(text, offset);
}

/** Offsets of `word` (its first occurrence after `from`) in `text`, as [start, end). */
function rangeOf(text: string, word: string, from = 0): [number, number] {
  const start = text.indexOf(word, from);
  assert.ok(start >= 0, `${word} in ${JSON.stringify(text)}`);
  return [start, start + word.length];
}

describe('yamlCursor: the word at the cursor', () => {
  it('spans the letters, digits, underscores and dots around the offset', () => {
    const text = 'transform: log1p\ndropout: 0.25\nmonitor: val_loss';
    assert.deepEqual(wordRangeAt(text, text.indexOf('g1p')), rangeOf(text, 'log1p'));
    assert.deepEqual(wordRangeAt(text, text.indexOf('25')), rangeOf(text, '0.25'));
    assert.deepEqual(wordRangeAt(text, text.length), rangeOf(text, 'val_loss'));
    assert.deepEqual(wordRangeAt(text, 0), rangeOf(text, 'transform'));
  });

  it('stops at YAML punctuation and is empty where no word touches the offset', () => {
    const text = 'a: [x,y]  - "q"';
    assert.deepEqual(wordRangeAt(text, 1), [0, 1], 'the colon ends the key');
    assert.deepEqual(wordRangeAt(text, 2), [2, 2], 'between the colon and the space');
    assert.deepEqual(wordRangeAt(text, 5), [4, 5], 'the comma ends the flow item');
    assert.deepEqual(wordRangeAt(text, 9), [9, 9], 'between two spaces');
    assert.deepEqual(wordRangeAt(text, 13), [13, 14], 'quotes are not part of the word');
    assert.deepEqual(wordRangeAt('', 0), [0, 0]);
  });
});

describe('yamlCursor: completion context in block style', () => {
  it('an empty document is a key at the top level', () => {
    const ctx = keyContext(CURSOR);
    assert.deepEqual(ctx.objectPath, []);
    assert.deepEqual(ctx.existingKeys, []);
    assert.equal(ctx.flow, false);
    assert.equal(ctx.colonFollows, false);
    assert.deepEqual(ctx.replace, [0, 0]);
  });

  it('a half-typed top-level key is replaced whole, and the keys before and after it are known', () => {
    const marked = `version: 1\nta${CURSOR}\nlabel: y\n`;
    const ctx = keyContext(marked);
    assert.deepEqual(ctx.objectPath, []);
    assert.deepEqual(ctx.existingKeys, ['version', 'label']);
    assert.deepEqual(ctx.replace, [11, 13]);
  });

  it('a word on its own line is a new key, not the continuation of the value above', () => {
    // Without the colon the patch adds, `label: y\nta` would read as the value "y ta".
    const ctx = keyContext(`label: y\nta${CURSOR}`);
    assert.deepEqual(ctx.objectPath, []);
    assert.deepEqual(ctx.existingKeys, ['label']);
  });

  it('a key typed above a nested block stays at the top level', () => {
    const ctx = keyContext(`ta${CURSOR}\ntraining:\n  epochs: 3`);
    assert.deepEqual(ctx.objectPath, []);
    assert.deepEqual(ctx.existingKeys, ['training']);
  });

  it('the indentation of the line chooses the object: training, earlyStopping, or back out', () => {
    assert.deepEqual(keyContext(`training:\n  ${CURSOR}`).objectPath, ['training']);
    const inTraining = keyContext(`training:\n  batchSize: 32\n  ep${CURSOR}\n  seed: 1`);
    assert.deepEqual(inTraining.objectPath, ['training']);
    assert.deepEqual(inTraining.existingKeys, ['batchSize', 'seed']);
    assert.deepEqual(keyContext(`training:\n  earlyStopping:\n    ${CURSOR}`).objectPath, ['training', 'earlyStopping']);
    const backToTraining = keyContext(`training:\n  earlyStopping:\n    enabled: true\n  ${CURSOR}`);
    assert.deepEqual(backToTraining.objectPath, ['training']);
    assert.deepEqual(backToTraining.existingKeys, ['earlyStopping']);
    const backToRoot = keyContext(`training:\n  earlyStopping:\n    enabled: true\n${CURSOR}`);
    assert.deepEqual(backToRoot.objectPath, []);
    assert.deepEqual(backToRoot.existingKeys, ['training']);
  });

  it('a blank line inside a nested block does not end it', () => {
    const ctx = keyContext(`training:\n  earlyStopping:\n    patience: 3\n\n    ${CURSOR}`);
    assert.deepEqual(ctx.objectPath, ['training', 'earlyStopping']);
    assert.deepEqual(ctx.existingKeys, ['patience']);
  });

  it('an empty key line between a nested block and the next top-level key belongs to the nested block', () => {
    const ctx = keyContext(`training:\n  earlyStopping:\n    patience: 3\n  ${CURSOR}\nlabel: y`);
    assert.deepEqual(ctx.objectPath, ['training']);
  });

  it('after `key: ` the value of that key is typed, at any depth', () => {
    const top = valueContext(`task: ${CURSOR}`);
    assert.deepEqual(top.valuePath, ['task']);
    assert.equal(top.needsSpace, false);
    assert.deepEqual(top.replace, [6, 6]);
    assert.deepEqual(valueContext(`training:\n  earlyStopping:\n    monitor: ${CURSOR}`).valuePath, ['training', 'earlyStopping', 'monitor']);
    assert.deepEqual(valueContext(`task: ${CURSOR}\nlabel: y\n`).valuePath, ['task'], 'followed by more keys');
    assert.deepEqual(valueContext(`label:   ${CURSOR}`).valuePath, ['label'], 'after several spaces');
    assert.deepEqual(valueContext(`label: ${CURSOR} # the column`).valuePath, ['label'], 'before a trailing comment');
  });

  it('right after a colon with no space the value needs a space inserted', () => {
    const ctx = valueContext(`task:${CURSOR}`);
    assert.deepEqual(ctx.valuePath, ['task']);
    assert.equal(ctx.needsSpace, true);
    assert.deepEqual(ctx.replace, [5, 5]);
  });

  it('a half-typed value is replaced whole, wherever the cursor is in it', () => {
    const marked = `task: bi${CURSOR}nary`;
    const ctx = valueContext(marked);
    assert.deepEqual(ctx.valuePath, ['task']);
    assert.deepEqual(ctx.replace, [6, 12]);
    assert.deepEqual(valueContext(`training:\n  epochs: 3${CURSOR}`).valuePath, ['training', 'epochs'], 'at the end of a number');
  });

  it('on an existing key the cursor is a key whose colon is already there', () => {
    const ctx = keyContext(`training:\n  epo${CURSOR}chs: 3`);
    assert.deepEqual(ctx.objectPath, ['training']);
    assert.equal(ctx.colonFollows, true);
    assert.deepEqual(ctx.replace, [12, 18]);
    assert.deepEqual(ctx.existingKeys, [], 'the key under the cursor is not counted as already written');
  });

  it('an empty new list item is a key of a new object at the next index', () => {
    const first = keyContext(`features:\n  - ${CURSOR}`);
    assert.deepEqual(first.objectPath, ['features', 0]);
    assert.deepEqual(first.existingKeys, []);
    const second = keyContext(`features:\n  - name: a\n    type: numeric\n  - ${CURSOR}`);
    assert.deepEqual(second.objectPath, ['features', 1]);
    assert.deepEqual(second.existingKeys, []);
    const beforeAnother = keyContext(`features:\n  - ${CURSOR}\n  - name: b\n    type: text\n`);
    assert.deepEqual(beforeAnother.objectPath, ['features', 0]);
    assert.deepEqual(keyContext(`features:\n- ${CURSOR}`).objectPath, ['features', 0], 'a list not indented under its key');
    const afterFlowItem = keyContext(`features:\n  - { name: a, type: text }\n  - ${CURSOR}`);
    assert.deepEqual(afterFlowItem.objectPath, ['features', 1]);
    assert.equal(afterFlowItem.flow, false);
  });

  it('the next line of a list item continues that item', () => {
    const ctx = keyContext(`features:\n  - name: a\n    ${CURSOR}`);
    assert.deepEqual(ctx.objectPath, ['features', 0]);
    assert.deepEqual(ctx.existingKeys, ['name']);
    const second = keyContext(`features:\n  - name: a\n    type: numeric\n  - name: b\n    ${CURSOR}`);
    assert.deepEqual(second.objectPath, ['features', 1]);
    assert.deepEqual(second.existingKeys, ['name']);
    assert.deepEqual(keyContext(`features:\n- name: a\n  ${CURSOR}`).objectPath, ['features', 0]);
  });

  it('a list item line at the list indentation goes back to the enclosing object', () => {
    const ctx = keyContext(`features:\n  - name: a\n    type: numeric\n  ${CURSOR}`);
    assert.deepEqual(ctx.objectPath, []);
    assert.deepEqual(ctx.existingKeys, ['features']);
  });

  it('values inside list items and nested lists get the item index in their path', () => {
    assert.deepEqual(valueContext(`features:\n  - name: a\n    type: ${CURSOR}`).valuePath, ['features', 0, 'type']);
    assert.deepEqual(
      valueContext(`features:\n  - name: a\n    type: numeric\n    transform: lo${CURSOR}\n  - name: b`).valuePath,
      ['features', 0, 'transform'],
    );
    assert.deepEqual(valueContext(`data:\n  sources:\n    - path: a.csv\n      format: ${CURSOR}`).valuePath, ['data', 'sources', 0, 'format']);
  });

  it('reads the type of the object the cursor is in, and not the word being typed as one', () => {
    const withType = keyContext(`features:\n  - name: a\n    type: numeric\n    ${CURSOR}`);
    assert.equal(withType.readDiscriminator(withType.objectPath, 'type'), 'numeric');
    const withoutType = keyContext(`features:\n  - name: a\n    ty${CURSOR}`);
    assert.equal(withoutType.readDiscriminator(withoutType.objectPath, 'type'), undefined);
    const typingType = valueContext(`features:\n  - name: a\n    type: num${CURSOR}`);
    assert.equal(typingType.readDiscriminator(['features', 0], 'type'), undefined, 'the half-typed type is not a type yet');
    const model = keyContext(`model:\n  type: logistic\n  ${CURSOR}`);
    assert.equal(model.readDiscriminator(['model'], 'type'), 'logistic');
    const notAString = keyContext(`model:\n  type: 3\n  ${CURSOR}`);
    assert.equal(notAString.readDiscriminator(['model'], 'type'), undefined, 'a number is no type name');
  });

  it('works at the end of the file, with or without a newline and with trailing blank lines', () => {
    assert.deepEqual(keyContext(`task: binary\n${CURSOR}`).existingKeys, ['task']);
    const blankLines = keyContext(`task: binary\n\n\n${CURSOR}`);
    assert.deepEqual(blankLines.objectPath, []);
    assert.deepEqual(blankLines.replace, [15, 15]);
    assert.deepEqual(keyContext(`task: binary\n\n${CURSOR}\n\nlabel: y`).existingKeys, ['task', 'label']);
    assert.deepEqual(valueContext(`training:\n  batchSize: ${CURSOR}`).valuePath, ['training', 'batchSize']);
  });

  it('handles CRLF line endings like LF', () => {
    const ctx = keyContext(`training:\r\n  ${CURSOR}\r\nlabel: y\r\n`);
    assert.deepEqual(ctx.objectPath, ['training']);
    assert.deepEqual(ctx.replace, [13, 13]);
    assert.deepEqual(valueContext(`training:\r\n  batchSize: ${CURSOR}\r\n`).valuePath, ['training', 'batchSize']);
  });

  it('counts offsets in UTF-16 code units (a surrogate pair earlier in the file)', () => {
    const marked = `# é 😀 notes\ntraining:\n  ba${CURSOR}`;
    const ctx = keyContext(marked);
    const { text } = splitCursor(marked);
    assert.deepEqual(ctx.replace, [text.lastIndexOf('ba'), text.length]);
    assert.equal(text.slice(ctx.replace[0], ctx.replace[1]), 'ba');
  });

  it('keeps the context when a key is written twice (the file is being edited)', () => {
    assert.deepEqual(valueContext(`task: binary\ntask: ${CURSOR}`).valuePath, ['task']);
  });
});

describe('yamlCursor: completion context in flow style', () => {
  it('a new key in a flow map inside a flow list', () => {
    const ctx = keyContext(`features: [{name: a, type: numeric, ${CURSOR}}]`);
    assert.deepEqual(ctx.objectPath, ['features', 0]);
    assert.deepEqual(ctx.existingKeys, ['name', 'type']);
    assert.equal(ctx.flow, true);
    assert.equal(ctx.colonFollows, false);
    assert.equal(ctx.readDiscriminator(ctx.objectPath, 'type'), 'numeric');
  });

  it('a value in a flow map inside a flow list, empty or half-typed', () => {
    const empty = valueContext(`features: [{name: a, type: ${CURSOR}}]`);
    assert.deepEqual(empty.valuePath, ['features', 0, 'type']);
    assert.equal(empty.needsSpace, false);
    const partial = valueContext(`features: [{name: a, type: num${CURSOR}}]`);
    assert.deepEqual(partial.valuePath, ['features', 0, 'type']);
    assert.deepEqual(partial.replace, [27, 30]);
  });

  it('the second flow map of a flow list is index 1', () => {
    const ctx = keyContext(`features: [{name: a, type: numeric}, {${CURSOR}}]`);
    assert.deepEqual(ctx.objectPath, ['features', 1]);
    assert.deepEqual(ctx.existingKeys, []);
    assert.equal(ctx.flow, true);
  });

  it('a flow map as a block list item: `- { name: a, type: text }`', () => {
    const key = keyContext(`features:\n  - { name: a, type: text, ${CURSOR} }`);
    assert.deepEqual(key.objectPath, ['features', 0]);
    assert.deepEqual(key.existingKeys, ['name', 'type']);
    assert.equal(key.flow, true);
    assert.equal(key.readDiscriminator(key.objectPath, 'type'), 'text');
    const partialKey = keyContext(`features:\n  - { name: a, ty${CURSOR} }`);
    assert.deepEqual(partialKey.objectPath, ['features', 0]);
    assert.deepEqual(partialKey.existingKeys, ['name']);
    assert.deepEqual(partialKey.replace, [25, 27]);
    const value = valueContext(`features:\n  - { name: a, type: ${CURSOR}text }`);
    assert.deepEqual(value.valuePath, ['features', 0, 'type']);
    assert.deepEqual(value.replace, [31, 35]);
  });

  it('on an existing key of a flow map the colon already follows', () => {
    const ctx = keyContext(`features: [{ na${CURSOR}: a }]`);
    assert.deepEqual(ctx.objectPath, ['features', 0]);
    assert.equal(ctx.colonFollows, true);
    assert.deepEqual(ctx.replace, [13, 15]);
    const nested = keyContext(`training:\n  earlyStopping: { ${CURSOR}monitor: val_loss }`);
    assert.deepEqual(nested.objectPath, ['training', 'earlyStopping']);
    assert.equal(nested.colonFollows, true);
  });

  it('values of flow maps under block keys', () => {
    assert.deepEqual(valueContext(`model: { type: mlp, activation: ${CURSOR} }`).valuePath, ['model', 'activation']);
    assert.deepEqual(valueContext(`training:\n  earlyStopping: { monitor: ${CURSOR}, patience: 3 }`).valuePath, ['training', 'earlyStopping', 'monitor']);
    assert.deepEqual(valueContext(`data:\n  sources: [{path: a.csv, format: ${CURSOR}}]`).valuePath, ['data', 'sources', 0, 'format']);
  });

  it('items of flow lists of scalars are values at their index', () => {
    assert.deepEqual(valueContext(`model:\n  hidden: [16, ${CURSOR}]`).valuePath, ['model', 'hidden', 1]);
    const partial = valueContext(`model:\n  type: mlp\n  hidden: [16${CURSOR}]`);
    assert.deepEqual(partial.valuePath, ['model', 'hidden', 0]);
    assert.deepEqual(partial.replace, [30, 32]);
    assert.deepEqual(valueContext(`features: [${CURSOR}]`).valuePath, ['features', 0]);
    assert.deepEqual(valueContext(`features: [{name: a, type: numeric}, ${CURSOR}]`).valuePath, ['features', 1]);
  });

  it('an empty flow map is a key of that map', () => {
    const ctx = keyContext(`features: [{${CURSOR}}]`);
    assert.deepEqual(ctx.objectPath, ['features', 0]);
    assert.equal(ctx.flow, true);
  });

  it("a '#' inside a quoted flow value is not a comment", () => {
    assert.deepEqual(keyContext(`features: [{name: "a # b", ${CURSOR}}]`).objectPath, ['features', 0]);
    assert.deepEqual(keyContext(`features: [{name: 'a # b', ${CURSOR}}]`).objectPath, ['features', 0]);
  });
});

describe('yamlCursor: completion context in broken documents and where there is none', () => {
  it('offers nothing inside a comment', () => {
    assert.equal(contextAt(`task: binary\n# comment ${CURSOR}`), undefined);
    assert.equal(contextAt(`task: binary # c${CURSOR}`), undefined);
    assert.equal(contextAt(`#${CURSOR}`), undefined);
  });

  it('an unclosed flow map at the end of the file is still a flow map being written', () => {
    const ctx = keyContext(`model: {type: mlp, ${CURSOR}`);
    assert.deepEqual(ctx.objectPath, ['model']);
    assert.deepEqual(ctx.existingKeys, ['type']);
    assert.equal(ctx.flow, true);
    assert.deepEqual(keyContext(`model: {type: mlp,\n  ${CURSOR}`).objectPath, ['model'], 'continued on the next line');
    const second = keyContext(`features: [{name: a, type: numeric}, {name: b, ${CURSOR}`);
    assert.deepEqual(second.objectPath, ['features', 1]);
    assert.deepEqual(second.existingKeys, ['name']);
  });

  it('an unclosed flow collection on an earlier line does not swallow the next block line', () => {
    const afterList = keyContext(`task: binary\nlabel: [y\n${CURSOR}`);
    assert.deepEqual(afterList.objectPath, []);
    assert.deepEqual(afterList.existingKeys, ['task', 'label']);
    const afterMap = keyContext(`task: binary\nfeatures:\n  - { name: a, type: text\n  - ${CURSOR}`);
    assert.deepEqual(afterMap.objectPath, ['features', 1]);
    const inTraining = keyContext(`training:\n  batchSize: [1, 2\n  ep${CURSOR}`);
    assert.deepEqual(inTraining.objectPath, ['training']);
    assert.deepEqual(inTraining.existingKeys, ['batchSize']);
  });

  it('an unclosed flow list after the cursor does not hide the value being typed', () => {
    assert.deepEqual(valueContext(`model:\n  type: mlp\n  activation: ${CURSOR}\n  hidden: [64\n`).valuePath, ['model', 'activation']);
  });

  it('a line with no key (`: 3`) above does not move the cursor out of its block', () => {
    assert.deepEqual(keyContext(`training:\n  batchSize: 32\n  : 3\n  ${CURSOR}`).objectPath, ['training']);
  });

  it('gives up (undefined) rather than guessing where the text cannot be placed', () => {
    assert.equal(contextAt(`training:\n  batchSize: 32\n    ${CURSOR}`), undefined, 'indented under a scalar value');
    assert.equal(contextAt(`just a scalar ${CURSOR}`), undefined, 'a document that is no map');
    assert.equal(contextAt(`task: binary\nlabel: "y\n${CURSOR}`), undefined, 'inside an unterminated quoted string');
    assert.equal(contextAt(`training:\n  batchSize: }\n  ${CURSOR}`), undefined, 'a stray closing brace');
    assert.equal(contextAt(`label: y  ${CURSOR}`), undefined, 'after a finished plain value on the same line');
  });

  it('never throws, at any offset of a document or of any of its prefixes', () => {
    const doc = [
      'version: 1',
      'task: binary   # two classes',
      'label: "is spam"',
      'features:',
      '  - name: body',
      '    type: text',
      '    ngrams: [1, 3]',
      '  - { name: n_links, type: numeric, transform: log1p }',
      'model: { type: mlp, hidden: [16, 8], dropout: 0.2 }',
      'training:',
      '  earlyStopping:',
      '    monitor: val_loss',
      '',
    ].join('\n');
    for (let end = 0; end <= doc.length; end++) {
      const prefix = doc.slice(0, end);
      assert.doesNotThrow(() => completionContextAt(prefix, end), `prefix of length ${end}`);
      assert.doesNotThrow(() => completionContextAt(doc, end), `offset ${end}`);
      assert.doesNotThrow(() => nodeAt(doc, end), `hover at ${end}`);
    }
  });
});

describe('yamlCursor: completion and hover agree on every word of a valid document', () => {
  // A file mixing block and flow style; every plain word in it is either a key or a value.
  const doc = [
    'version: 1',
    'task: multiclass',
    'label: species',
    'features:',
    '  - name: petal_length',
    '    type: numeric',
    '    transform: minmax',
    '  - { name: colour, type: categorical, maxCategories: 8 }',
    'model:',
    '  type: mlp',
    '  hidden: [64, 32]',
    '  dropout: 0.1',
    'training:',
    '  batchSize: 32',
    '  earlyStopping: { monitor: val_loss, patience: 5 }',
    'data:',
    '  sources:',
    '    - path: iris.csv',
    '      format: csv',
    '',
  ].join('\n');

  it('a key under the cursor is a key of the object hover names, and a value is the value hover names', () => {
    let checked = 0;
    for (let offset = 0; offset <= doc.length; offset++) {
      const [start, end] = wordRangeAt(doc, offset);
      if (start === end) continue;
      const hit = nodeAt(doc, offset);
      assert.ok(hit, `hover finds the word at ${offset} (${JSON.stringify(doc.slice(start, end))})`);
      assert.deepEqual(hit.range, [start, end], `the scalar at ${offset} is the word`);
      const ctx = completionContextAt(doc, offset);
      assert.ok(ctx, `completion context at ${offset}`);
      if (hit.role === 'key') {
        assert.equal(ctx.kind, 'key', `key at ${offset}`);
        assert.deepEqual(ctx.objectPath, hit.path.slice(0, -1), `object of the key at ${offset}`);
        assert.equal(ctx.colonFollows, true);
      } else {
        assert.equal(ctx.kind, 'value', `value at ${offset}`);
        assert.deepEqual(ctx.valuePath, hit.path, `path of the value at ${offset}`);
      }
      checked++;
    }
    assert.ok(checked > 250, `checked ${checked} offsets`);
  });
});

describe('yamlCursor: the node under the mouse (hover)', () => {
  it('on a key, from its first character to just after its last', () => {
    for (const marked of [`${CURSOR}task: binary`, `ta${CURSOR}sk: binary`, `task${CURSOR}: binary`]) {
      const hit = hoverAt(marked);
      assert.ok(hit, marked);
      assert.deepEqual(hit.path, ['task']);
      assert.equal(hit.role, 'key');
      assert.equal(hit.value, 'task');
      assert.deepEqual(hit.range, [0, 4]);
    }
  });

  it('on a value, with the value parsed (a number stays a number)', () => {
    const word = hoverAt(`task: bin${CURSOR}ary`);
    assert.deepEqual(word && { path: word.path, role: word.role, value: word.value, range: word.range }, { path: ['task'], role: 'value', value: 'binary', range: [6, 12] });
    const atEnd = hoverAt(`task: binary${CURSOR}`);
    assert.equal(atEnd?.role, 'value', 'the end of the value still counts');
    const number = hoverAt(`model:\n  type: mlp\n  dropout: 0.${CURSOR}1`);
    assert.deepEqual(number?.path, ['model', 'dropout']);
    assert.equal(number?.value, 0.1);
  });

  it('a quoted value covers its quotes', () => {
    const hit = hoverAt(`task: "bin${CURSOR}ary"`);
    assert.deepEqual(hit?.range, [6, 14]);
    assert.equal(hit?.value, 'binary');
  });

  it('in nested blocks, list items and flow maps', () => {
    const nested = hoverAt(`training:\n  early${CURSOR}Stopping:\n    patience: 3`);
    assert.deepEqual([nested?.path, nested?.role], [['training', 'earlyStopping'], 'key']);
    const itemKey = hoverAt(`features:\n  - name: a\n    type: numeric\n    tra${CURSOR}nsform: log1p`);
    assert.deepEqual([itemKey?.path, itemKey?.role], [['features', 0, 'transform'], 'key']);
    const flowValue = hoverAt(`features:\n  - { name: a, type: te${CURSOR}xt }`);
    assert.deepEqual([flowValue?.path, flowValue?.role, flowValue?.value], [['features', 0, 'type'], 'value', 'text']);
    const flowKey = hoverAt(`features: [{ na${CURSOR}me: a }]`);
    assert.deepEqual([flowKey?.path, flowKey?.role], [['features', 0, 'name'], 'key']);
    const inFlowList = hoverAt(`features: [{name: a, type: numeric, transform: log1${CURSOR}p}]`);
    assert.deepEqual([inFlowList?.path, inFlowList?.value], [['features', 0, 'transform'], 'log1p']);
  });

  it('an item of a list of scalars has the item index in its path', () => {
    const hit = hoverAt(`model:\n  hidden: [1${CURSOR}6, 8]`);
    assert.deepEqual(hit?.path, ['model', 'hidden', 0]);
    assert.equal(hit?.role, 'value');
    assert.equal(hit?.value, 16);
    assert.deepEqual(hoverAt(`model:\n  hidden: [16, ${CURSOR}8]`)?.path, ['model', 'hidden', 1]);
  });

  it('reads the type of the object hovered, so a feature key can be explained by its branch', () => {
    const feature = hoverAt(`features:\n  - name: a\n    type: numeric\n    tra${CURSOR}nsform: log1p`);
    assert.equal(feature?.readDiscriminator(['features', 0], 'type'), 'numeric');
    const model = hoverAt(`model:\n  type: mlp\n  dropout: 0.${CURSOR}1`);
    assert.equal(model?.readDiscriminator(['model'], 'type'), 'mlp');
    const untyped = hoverAt(`model:\n  dropout: 0.${CURSOR}1`);
    assert.equal(untyped?.readDiscriminator(['model'], 'type'), undefined);
  });

  it('is nothing on comments, whitespace, punctuation and empty lines', () => {
    assert.equal(hoverAt(`# comm${CURSOR}ent\ntask: binary`), undefined);
    assert.equal(hoverAt(`task: binary # com${CURSOR}ment`), undefined);
    assert.equal(hoverAt(`task:${CURSOR} binary`), undefined, 'between the colon and the value');
    assert.equal(hoverAt(`task: binary\n${CURSOR}`), undefined, 'the empty last line');
    assert.equal(hoverAt(`${CURSOR}\ntask: binary`), undefined, 'an empty first line');
    assert.equal(hoverAt(`task: binary\n  ${CURSOR}`), undefined);
  });

  it('still finds keys after a syntax error earlier in the file', () => {
    const hit = hoverAt(`task: [binary\nlab${CURSOR}el: y`);
    assert.deepEqual([hit?.path, hit?.role], [['label'], 'key']);
  });

  it('with a key written twice, the occurrence under the mouse', () => {
    const hit = hoverAt(`task: binary\ntask: multi${CURSOR}class`);
    assert.deepEqual([hit?.path, hit?.value, hit?.range], [['task'], 'multiclass', [19, 29]]);
  });
});
