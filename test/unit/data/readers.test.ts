import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectFormat, readRecords, readRecordsFromBytes, type ReadItem } from '../../../src/core/data/readers';
import { findJsonSyntaxError, jsonElementOffsets } from '../../../src/core/data/json-text';
import { CancelledError, UserError } from '../../../src/core/util/errors';
import type { DataFormat } from '../../../src/core/project/types';

let dir: string;

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function readAll(file: string, format?: DataFormat): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readRecords(file, format)) items.push(item);
  return items;
}

/** Compact view: 'line:record-json' or 'line:!reason'. */
function summary(items: ReadItem[]): string[] {
  return items.map((i) => (i.kind === 'record' ? `${i.line}:${JSON.stringify(i.record)}` : `${i.line}:!${i.reason}`));
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-readers-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('detectFormat', () => {
  it('maps .csv, .json, .jsonl and .ndjson (any case) to their formats', () => {
    assert.equal(detectFormat('a/b.csv'), 'csv');
    assert.equal(detectFormat('b.JSON'), 'json');
    assert.equal(detectFormat('c.jsonl'), 'jsonl');
    assert.equal(detectFormat('d.ndjson'), 'jsonl');
  });

  it('rejects an unknown extension with a UserError that names the file', () => {
    assert.throws(() => detectFormat('data/examples.xlsx'), (e: unknown) => e instanceof UserError && e.message.includes('data/examples.xlsx'));
  });
});

describe('readRecords: CSV', () => {
  it('reads quoted fields, doubled quotes, embedded newlines, CRLF and a BOM, keeping values as strings', async () => {
    const file = writeFile(
      'good.csv',
      '\ufeffid,text,score\r\n1,"hello, world",0.5\r\n2,"she said ""hi""",\r\n3,"two\r\nlines",7\r\n4,plain,8\r\n',
    );
    const items = await readAll(file);
    assert.deepEqual(summary(items), [
      '2:{"id":"1","text":"hello, world","score":"0.5"}',
      '3:{"id":"2","text":"she said \\"hi\\"","score":""}',
      '4:{"id":"3","text":"two\\r\\nlines","score":"7"}',
      '6:{"id":"4","text":"plain","score":"8"}',
    ]);
  });

  it('reports a row with the wrong number of fields at its line and keeps reading', async () => {
    const file = writeFile('short.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    assert.deepEqual(summary(await readAll(file)), [
      '2:{"a":"1","b":"2","c":"3"}',
      '3:!expected 3 fields, found 2',
      '4:!expected 3 fields, found 4',
      '5:{"a":"10","b":"11","c":"12"}',
    ]);
  });

  it('reports an unterminated quote at the line where its row starts and resumes on the next line', async () => {
    const file = writeFile('unterminated.csv', 'a,b,c\n1,2,3\n4,"never closed,6\n7,8,9\n10,11,12');
    assert.deepEqual(summary(await readAll(file)), [
      '2:{"a":"1","b":"2","c":"3"}',
      '3:!unterminated quote: a quoted field is never closed',
      '4:{"a":"7","b":"8","c":"9"}',
      '5:{"a":"10","b":"11","c":"12"}',
    ]);
  });

  it('does not let a stray quote swallow the rows up to the next quote', async () => {
    const file = writeFile('stray.csv', 'a,b,c\n1,"stray,3\n4,5,6\n7,"q",9\n');
    assert.deepEqual(summary(await readAll(file)), [
      '2:!text after a closing quote (a quoted field must end at a comma or the end of the line)',
      '3:{"a":"4","b":"5","c":"6"}',
      '4:{"a":"7","b":"q","c":"9"}',
    ]);
  });

  it('reports a quote inside an unquoted field as an error row', async () => {
    const file = writeFile('inner-quote.csv', 'name,height\nann,5\'10"\nbob,6\n');
    const items = await readAll(file);
    assert.equal(items.length, 2);
    assert.equal(items[0].kind, 'error');
    assert.equal(items[0].line, 2);
    assert.match((items[0] as { reason: string }).reason, /quote inside an unquoted field/);
    assert.deepEqual(summary(items.slice(1)), ['3:{"name":"bob","height":"6"}']);
  });

  it('skips blank lines and counts them in the line numbers', async () => {
    const file = writeFile('blank.csv', 'a,b\n\n1,2\n\n\n3,4\n   \n5,6\n\n');
    assert.deepEqual(summary(await readAll(file)), ['3:{"a":"1","b":"2"}', '6:{"a":"3","b":"4"}', '8:{"a":"5","b":"6"}']);
    const singleColumn = writeFile('blank-single.csv', 'x\n1\n\n2\n');
    assert.deepEqual(summary(await readAll(singleColumn)), ['2:{"x":"1"}', '4:{"x":"2"}']);
    const crlf = writeFile('blank-crlf.csv', 'a,b\r\n\r\n1,"x\ry"\r\n\r\n3,4');
    assert.deepEqual(summary(await readAll(crlf)), ['3:{"a":"1","b":"x\\ry"}', '6:{"a":"3","b":"4"}']);
  });

  it('names empty header cells column_<n>, trims names, and rejects a repeated name', async () => {
    const unnamed = writeFile('unnamed.csv', ', x ,y\n0,1,2\n');
    assert.deepEqual(summary(await readAll(unnamed)), ['2:{"column_1":"0","x":"1","y":"2"}']);
    const repeated = writeFile('repeated.csv', 'a,b,a\n1,2,3\n');
    await assert.rejects(readAll(repeated), (e: unknown) => e instanceof UserError && /'a' appears twice/.test(e.message));
  });

  it('gives no records for an empty file or a header-only file', async () => {
    assert.deepEqual(await readAll(writeFile('empty.csv', '')), []);
    assert.deepEqual(await readAll(writeFile('header.csv', 'a,b,c\n')), []);
  });

  it('keeps exact line numbers across read-chunk boundaries with multi-line fields and CRLF', async () => {
    // ~320 KB, several 64 KB chunks; every 7th row has a two-line quoted field, every 50th
    // is short, every 97th has a stray quote.
    const lines: string[] = ['k,text,v'];
    const expected: Array<{ line: number; k: string } | { line: number; error: true }> = [];
    let line = 2;
    for (let k = 0; k < 10_000; k++) {
      if (k % 97 === 96) {
        // a quoting error makes the reader restart its parser on the next line
        lines.push(`${k},5'10",${k}`);
        expected.push({ line, error: true });
        line += 1;
      } else if (k % 50 === 49) {
        lines.push(`${k},only-two`);
        expected.push({ line, error: true });
        line += 1;
      } else if (k % 7 === 0) {
        lines.push(`${k},"first part of ${k}\r\nsecond part",${k * 2}`);
        expected.push({ line, k: String(k) });
        line += 2;
      } else {
        lines.push(`${k},"row, number ${k}",${k * 2}`);
        expected.push({ line, k: String(k) });
        line += 1;
      }
    }
    const file = writeFile('big.csv', lines.join('\r\n') + '\r\n');
    assert.ok(fs.statSync(file).size > 4 * 64 * 1024, "the file must span several read chunks");
    const items = await readAll(file);
    assert.equal(items.length, expected.length);
    items.forEach((item, i) => {
      const want = expected[i];
      assert.equal(item.line, want.line, `item ${i}`);
      if ('error' in want) assert.equal(item.kind, 'error');
      else assert.equal(item.kind === 'record' && item.record.k, want.k);
    });
  });

  it('throws a UserError for a file that does not exist', async () => {
    await assert.rejects(readAll(path.join(dir, 'missing.csv')), (e: unknown) => e instanceof UserError && e.message.includes('missing.csv'));
  });

  it('stops with CancelledError when the signal is aborted', async () => {
    const rows = ['a,b'];
    for (let i = 0; i < 50_000; i++) rows.push(`${i},${i}`);
    const file = writeFile('cancel.csv', rows.join('\n'));
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const item of readRecords(file, undefined, controller.signal)) {
          if (item.kind === 'record' && ++seen === 10) controller.abort();
        }
      })(),
      CancelledError,
    );
    assert.ok(seen < 50_000);
  });
});

describe('readRecords: JSONL', () => {
  it('reads one object per line, skips blank lines, reports bad lines with a reason and continues', async () => {
    const file = writeFile('data.jsonl', '\ufeff{"a":1,"b":"x"}\r\n\r\n{"a":2,}\n[1,2]\n  \n{"a":true}\nnull\n');
    const items = await readAll(file);
    assert.deepEqual(summary(items), [
      '1:{"a":1,"b":"x"}',
      "3:!invalid JSON: expected a double-quoted property name, found '}' at column 8",
      '4:!expected a JSON object, found an array',
      '6:{"a":true}',
      '7:!expected a JSON object, found null',
    ]);
  });

  it('treats .ndjson as JSONL', async () => {
    const file = writeFile('data.ndjson', '{"a":1}\n{"a":2}');
    assert.deepEqual(summary(await readAll(file)), ['1:{"a":1}', '2:{"a":2}']);
  });
});

describe('readRecords: JSON', () => {
  it('reads an array of objects with the line on which each element starts', async () => {
    const file = writeFile('array.json', '[\n  {"a": 1},\n  {\n    "a": 2\n  }, {"a": 3},\n\n  {"a": "[{,]}"}\n]\n');
    assert.deepEqual(summary(await readAll(file)), ['2:{"a":1}', '3:{"a":2}', '5:{"a":3}', '7:{"a":"[{,]}"}']);
  });

  it('reads the {"samples": [...]} shape and reports non-object elements', async () => {
    const file = writeFile(
      'samples.json',
      '{"meta": {"samples": "not this"},\n "samples": [\n  {"title": "t1", "description": "d", "category": "bug"},\n  "oops",\n  {"title": "t2", "description": "d", "category": "docs"}\n]}',
    );
    assert.deepEqual(summary(await readAll(file)), [
      '3:{"title":"t1","description":"d","category":"bug"}',
      '4:!element 2 is a string, expected a JSON object',
      '5:{"title":"t2","description":"d","category":"docs"}',
    ]);
  });

  it('gives one error item at the line of the syntax error for a file that is not valid JSON', async () => {
    const file = writeFile('broken.json', '[\n  {"a": 1},\n  {"a": 2}\n  {"a": 3}\n]\n');
    const items = await readAll(file);
    assert.equal(items.length, 1);
    assert.equal(items[0].kind, 'error');
    assert.equal(items[0].line, 4);
    assert.match((items[0] as { reason: string }).reason, /expected ',' or '\]'.*line 4, column 3/);
  });

  it('throws a UserError for valid JSON of another shape', async () => {
    const file = writeFile('shape.json', '{"rows": []}');
    await assert.rejects(readAll(file), (e: unknown) => e instanceof UserError && /holds an object without a "samples" array/.test(e.message));
  });
});

describe('JSON text helpers', () => {
  it('finds element offsets only in the records array', () => {
    const text = '{"samples":[1, {"x":[9,9]}, "s"], "other":[5]}';
    assert.deepEqual(jsonElementOffsets(text, 'samples').map((o) => text[o]), ['1', '{', '"']);
    assert.deepEqual(jsonElementOffsets('[ [1], 2 ]', 'root'), [2, 7]);
  });

  it('locates syntax errors and accepts valid JSON', () => {
    assert.equal(findJsonSyntaxError('{"a": [1, 2, {"b": null}]}'), undefined);
    assert.deepEqual(findJsonSyntaxError('{"a": tru}'), { offset: 6, message: "unexpected 't'" });
    assert.equal(findJsonSyntaxError('[1, 2')?.message, "expected ',' or ']' after an array element, found the end of the text");
    assert.equal(findJsonSyntaxError('"abc')?.message, 'a string is not closed');
  });
});

describe('readRecords: bytes that are not UTF-8 text (issue 12, item 3)', () => {
  const latin1Cafe = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // 'café' in Latin-1

  it('rejects a CSV row holding a Latin-1 byte at its line, naming the byte, and keeps the other rows unchanged', async () => {
    const file = writeFile('latin1.csv', Buffer.concat([Buffer.from('name,y\nok,1\n'), latin1Cafe, Buffer.from(',2\ncafé,3\n')]));
    assert.deepEqual(summary(await readAll(file)), [
      '2:{"name":"ok","y":"1"}',
      '3:!byte 0xE9 at byte 4 of the line is not UTF-8 text; data files must be UTF-8 (if this file is Latin-1 or Windows-1252, convert it, e.g. iconv -f windows-1252 -t utf-8 FILE > FILE.utf8)',
      '4:{"name":"café","y":"3"}',
    ]);
  });

  it('rejects a CSV row with a NUL byte instead of storing it', async () => {
    const file = writeFile('nul.csv', Buffer.from('name,y\na\u0000b,1\nc,2\n'));
    const items = await readAll(file);
    assert.match(summary(items)[0], /^2:!a NUL byte \(0x00\) at byte 2 of the line/);
    assert.deepEqual(summary(items).slice(1), ['3:{"name":"c","y":"2"}']);
  });

  it('names the line inside a multi-line quoted field where the bad byte is', async () => {
    const file = writeFile('multi.csv', Buffer.concat([Buffer.from('t,y\n"first\n'), latin1Cafe, Buffer.from('",1\nz,2\n')]));
    const items = summary(await readAll(file));
    assert.match(items[0], /^2:!on line 3: byte 0xE9 at byte 4 of the line is not UTF-8/);
    assert.deepEqual(items.slice(1), ['4:{"t":"z","y":"2"}']);
  });

  it('finds a bad byte far into a file and a multi-byte character split across read chunks', async () => {
    const rows = ['k,v'];
    for (let i = 0; i < 20_000; i++) rows.push(`${i},é${i}`);
    const good = Buffer.from(rows.join('\n') + '\n');
    const file = writeFile('far.csv', Buffer.concat([good, Buffer.from('bad,'), Buffer.from([0xff]), Buffer.from('\nlast,é\n')]));
    const items = await readAll(file);
    assert.equal(items.filter((i) => i.kind === 'error').length, 1);
    const error = items.find((i) => i.kind === 'error');
    assert.equal(error?.line, 20_002);
    assert.equal(items.length, 20_002);
    assert.ok(items.every((i) => i.kind === 'error' || !JSON.stringify(i.record).includes('\ufffd')), 'no U+FFFD anywhere: the é split across chunks decoded whole');
  });

  it('refuses a header that is not UTF-8 (a UTF-16 or binary file) with a UserError at line 1', async () => {
    const utf16 = writeFile('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]));
    await assert.rejects(readAll(utf16), (e: unknown) => e instanceof UserError && /header row .* is not UTF-8 text: this looks like UTF-16/.test(e.message) && e.location?.line === 1);
    const binary = writeFile('image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    await assert.rejects(readAll(binary), (e: unknown) => e instanceof UserError && /header row/.test(e.message));
  });

  it('rejects a JSONL line and a JSON element holding a bad byte, keeping the others', async () => {
    const jsonl = writeFile('latin1.jsonl', Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), latin1Cafe, Buffer.from('"}\n{"a":"é"}\n')]));
    assert.deepEqual(summary(await readAll(jsonl)).map((s) => s.slice(0, 18)), ['1:{"a":"ok"}', '2:!byte 0xE9 at by', '3:{"a":"é"}']);
    const json = writeFile('latin1.json', Buffer.concat([Buffer.from('[\n{"a":"ok"},\n{"a":\n"'), latin1Cafe, Buffer.from('"},\n{"a":"é"}\n]')]));
    const items = summary(await readAll(json));
    assert.match(items[1], /^3:!on line 4: byte 0xE9 at byte 5 of the line/);
    assert.deepEqual([items[0], items[2]], ['2:{"a":"ok"}', '5:{"a":"é"}']);
  });
});

describe('readRecords: deeply nested JSON (issue 12, item 6)', () => {
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it('rejects a JSONL line nested 100,000 levels deep and keeps the good lines', async () => {
    const file = writeFile('deep.jsonl', `{"a":1}\n{"a":${deep(100_000)}}\n{"a":2}\n`);
    const items = await readAll(file);
    assert.deepEqual(summary(items), ['1:{"a":1}', `2:!nested more than 64 levels deep; a record holds single values (or JSON nested at most 63 levels)`, '3:{"a":2}']);
  });

  it('rejects a JSON element nested 100,000 levels deep and keeps the others', async () => {
    const file = writeFile('deep.json', `[{"a":1},\n{"a":${deep(100_000)}},\n{"a":2}]`);
    assert.deepEqual(summary(await readAll(file)), ['1:{"a":1}', '2:!element 2 is nested more than 64 levels deep; a record holds single values (or JSON nested at most 63 levels)', '3:{"a":2}']);
  });

  it('accepts a record nested exactly at the limit', async () => {
    const file = writeFile('limit.jsonl', `{"a":${deep(63)}}\n`);
    assert.equal((await readAll(file))[0].kind, 'record');
  });

  it('reports a syntax error inside 100,000 levels of nesting at its line instead of overflowing the stack', async () => {
    const file = writeFile('deep-broken.json', `[{"a":1},\n${'['.repeat(100_000)}x`);
    const items = await readAll(file);
    assert.equal(items.length, 1);
    assert.equal(items[0].line, 2);
    assert.match((items[0] as { reason: string }).reason, /invalid JSON: unexpected 'x'/);
    assert.equal(findJsonSyntaxError('['.repeat(200_000))?.message, 'unexpected end of the text, a value is missing');
  });
});

describe("readRecords: column names that are Object.prototype's (issue 12, item 4)", () => {
  it("keeps a CSV column named '__proto__' as a column", async () => {
    const items = await readAll(writeFile('proto.csv', '__proto__,constructor,y\n1,2,3\n'));
    const record = (items[0] as { record: Record<string, unknown> }).record;
    assert.deepEqual(Object.keys(record), ['__proto__', 'constructor', 'y']);
    assert.equal(Object.getOwnPropertyDescriptor(record, '__proto__')?.value, '1');
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
  });
});

describe('readRecordsFromBytes: predict input on stdin (issue 12, items 6 and 16)', () => {
  const read = (text: string | Buffer) => readRecordsFromBytes(typeof text === 'string' ? Buffer.from(text) : text, 'stdin');

  it('reads one object, an array of objects, and JSON lines, each with its line', () => {
    assert.deepEqual(summary(read('{"a": 1}')), ['1:{"a":1}']);
    assert.deepEqual(summary(read('[\n {"a": 1},\n {"a": 2}\n]')), ['2:{"a":1}', '3:{"a":2}']);
    assert.deepEqual(summary(read('{"a": 1}\n\n{"a": 2}\n')), ['1:{"a":1}', '3:{"a":2}']);
  });

  it('reports the real line of an error in pretty-printed JSON, not line 1', () => {
    assert.throws(
      () => read('{\n  "a": 1,\n  "b": x\n}\n'),
      (e: unknown) => e instanceof UserError && e.message.startsWith("stdin:3:8: invalid JSON: unexpected 'x'") && e.location?.line === 3 && e.location?.column === 8,
    );
  });

  it('gives a bad JSON line, a non-object and a too-deep line an error item, and keeps the other lines', () => {
    const items = read(`{"a": 1}\n{"a": x}\n[1]\n{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n{"a": 2}\n`);
    assert.deepEqual(
      items.map((i) => `${i.line}:${i.kind}`),
      ['1:record', '2:error', '3:error', '4:error', '5:record'],
    );
  });

  it('refuses a single object nested too deeply and bytes that are not UTF-8', () => {
    assert.equal(read(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)[0].kind, 'error');
    const latin1 = read(Buffer.concat([Buffer.from('{"a": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    assert.match((latin1[0] as { reason: string }).reason, /0xE9 .* is not UTF-8/);
  });

  it('says what it expects for empty input and for JSON of another shape', () => {
    assert.throws(() => read('  \n'), /No records on stdin: give a JSON object, an array of objects, or JSON lines/);
    assert.throws(() => read('42'), /'stdin' holds a number; records on stdin must be a JSON object, an array of objects, or JSON lines/);
  });
});

describe('readRecords: pathological CSV (found by the fuzz harness)', () => {
  it('ends a row at every kind of line break in a file with mixed endings, keeping line numbers exact and no CR in a value', async () => {
    const file = writeFile('mixed.csv', 'a,b\n1,x\r\n2,y\r3,z\n4,"q\r\nq"\n5,w\n');
    assert.deepEqual(summary(await readAll(file)), [
      '2:{"a":"1","b":"x"}',
      '3:{"a":"2","b":"y"}',
      '4:{"a":"3","b":"z"}',
      '5:{"a":"4","b":"q\\r\\nq"}',
      '7:{"a":"5","b":"w"}',
    ]);
  });

  it('reads a line of 100,000 stray quotes as one rejected row, keeping the rows around it (csv-parse used to take minutes on it)', async () => {
    const file = writeFile('quotes.csv', `a,b\n1,2\n3,${'{"k":'.repeat(100_000)}\n5,6\n`);
    assert.deepEqual(summary(await readAll(file)), [
      '2:{"a":"1","b":"2"}',
      '3:!a quote inside an unquoted field (quote the whole field and double the inner quote: "5\'10""")',
      '4:{"a":"5","b":"6"}',
    ]);
  });
});
