import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../../src/dataset/csv.js';
import { parseJsonl } from '../../../src/dataset/jsonl.js';
import { inferType, tableColumn, toNumber } from '../../../src/dataset/columns.js';
import { DatasetError } from '../../../src/dataset/errors.js';

test('RFC 4180: quotes, escaped quotes, embedded commas and line breaks, CRLF, line numbers', () => {
  const t = parseCsv('id,name,score\r\n1,"Smith, J",0.5\r\n2,"say ""hi""",\r\n3,"two\nlines",1e3\r\n', 'a.csv');
  assert.deepEqual(t.columns, ['id', 'name', 'score']);
  assert.deepEqual(t.values.get('name'), ['Smith, J', 'say "hi"', 'two\nlines']);
  assert.deepEqual(t.values.get('score'), ['0.5', null, '1e3']);
  assert.deepEqual(t.lines, [2, 3, 4]);
});

test('type inference: numbers (with nan/inf as missing) are num, anything else cat', () => {
  assert.equal(inferType(['1', '2.5', null, 'nan', '-inf', ' 3 ']), 'num');
  assert.equal(inferType(['1', 'two']), 'cat');
  assert.equal(inferType([true, false]), 'cat');
  assert.ok(Number.isNaN(toNumber('NaN')!));
  assert.equal(toNumber('-Infinity'), -Infinity);
});

test('bad input names file, line and column', () => {
  const bad = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof DatasetError && re.test(e.message));
  bad(() => parseCsv('', 'empty.csv'), /^empty\.csv:1: the file is empty/);
  bad(() => parseCsv('a;b;c\n1;2;3\n', 'semi.csv'), /^semi\.csv:1: .*;-delimited/);
  bad(() => parseCsv('a,b\n1,2\n3\n', 'short.csv'), /^short\.csv:3: expected 2 fields/);
  bad(() => parseCsv('a,b\n1,"open\n', 'q.csv'), /^q\.csv:2: unterminated/);
  bad(() => parseCsv('a,a\n1,2\n', 'dup.csv'), /duplicate/);
  const t = parseCsv('x,y\n1,a\n2,b\noops,c\n', 'cur.csv');
  bad(() => tableColumn(t, 'x', 'num'), /^cur\.csv:4 column "x": "oops" is not a number/);
  bad(() => parseJsonl('{"a":1}\n{"a":\n', 'b.jsonl'), /^b\.jsonl:2: not valid JSON/);
  bad(() => parseJsonl('\n\n', 'e.jsonl'), /empty/);
});

test('JSON Lines: union of keys, absent keys and nulls are missing', () => {
  const t = parseJsonl('{"a":1,"b":"x"}\n\n{"a":null,"c":true}\n{"a":2.5,"b":"y","c":false}\n', 'd.jsonl');
  assert.deepEqual(t.columns, ['a', 'b', 'c']);
  assert.deepEqual(t.values.get('a'), [1, null, 2.5]);
  assert.deepEqual(t.values.get('b'), ['x', null, 'y']);
  assert.deepEqual(t.lines, [1, 3, 4]);
  assert.equal(inferType(t.values.get('c')!), 'cat');
  assert.deepEqual(tableColumn(t, 'c', 'cat').values, [null, 'true', 'false']);
});
