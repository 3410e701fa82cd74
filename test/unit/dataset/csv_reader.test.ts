// readCsv (bytes → Float64Array columns where every field is a number) against the independent
// reference of splitting the text and calling Number() per field; the text API (parseCsv) and the
// fast reader must agree on everything else: text columns, line numbers, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, readCsv } from '../../../src/dataset/csv.js';
import { parsePlainDecimal } from '../../../src/dataset/decimal.js';
import { inferType, tableColumn } from '../../../src/dataset/columns.js';
import { DatasetError } from '../../../src/dataset/errors.js';
import { normals, rng } from '../stats/seeded.js';

const enc = new TextEncoder();

/** Decimal texts in the forms files hold: fixed, shortest round-trip, exponents, signs, many digits. */
function decimalTexts(seed: number, n: number): string[] {
  const u = rng(seed);
  const xs = normals(seed, n, 0, 1000);
  return Array.from(xs, (x, i) => {
    switch (i % 8) {
      case 0: return x.toFixed(5);
      case 1: return String(x);
      case 2: return x.toExponential(Math.floor(u() * 18));
      case 3: return String(Math.round(x));
      case 4: return `+${Math.abs(x).toFixed(2)}`;
      case 5: return (x / 1e6).toPrecision(1 + Math.floor(u() * 20));
      case 6: return `${x < 0 ? '-' : ''}.${String(Math.floor(u() * 1e9)).padStart(9, '0')}`;
      default: return `${Math.floor(u() * 100)}E${Math.floor(u() * 40) - 20}`;
    }
  });
}

test('parsePlainDecimal gives the double Number() gives, or leaves the text to Number()', () => {
  let parsed = 0;
  for (const s of decimalTexts(1, 20_000)) {
    const b = enc.encode(s);
    const v = parsePlainDecimal(b, 0, b.length);
    if (v !== undefined) {
      parsed++;
      assert.ok(Object.is(v, Number(s)), `${s}: ${v} vs ${Number(s)}`);
    }
  }
  assert.ok(parsed > 10_000, `the fast path reads most plain decimals (${parsed})`);
  for (const s of ['', '-', '.', 'e5', '1e', '1e+', '0x10', ' 1', '1 ', 'nan', '1.5.2', '1e99999', '1234567890123456']) {
    const b = enc.encode(s);
    assert.equal(parsePlainDecimal(b, 0, b.length), undefined, JSON.stringify(s));
  }
  const neg = enc.encode('-0');
  assert.ok(Object.is(parsePlainDecimal(neg, 0, 2), -0));
});

test('numerical columns are Float64Arrays equal to Number() of each field; CRLF and no final line end', () => {
  const rows = 3000;
  const cols = [decimalTexts(2, rows), decimalTexts(3, rows), decimalTexts(4, rows)];
  cols[1][17] = '';
  cols[2][5] = '"12.5"';
  cols[2][6] = ' 7 ';
  cols[2][7] = 'nan';
  cols[2][8] = '-inf';
  const text = ['a,b,c', ...Array.from({ length: rows }, (_, i) => cols.map((c) => c[i]).join(','))].join('\r\n');
  const t = readCsv(Buffer.from(text), 'n.csv');
  assert.deepEqual(t.columns, ['a', 'b', 'c']);
  assert.deepEqual(t.lines, Array.from({ length: rows }, (_, i) => i + 2));
  const expected = (s: string) => (s === '' || s === 'nan' ? NaN : s === '-inf' ? -Infinity : Number(s.replace(/"/g, '')));
  cols.forEach((c, k) => {
    const v = t.values.get('abc'[k]);
    assert.ok(v instanceof Float64Array, `column ${k} read as numbers`);
    c.forEach((s, i) => assert.ok(Object.is(v[i], expected(s)), `column ${k} row ${i}: "${s}" → ${v[i]}`));
  });
  assert.equal(inferType(t.values.get('a')!), 'num');
});

test('a column with text anywhere is text, as written; numbers forced to categories keep their text', () => {
  const rows = 5000;
  const lines = ['id,zip,x'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${String(i % 90).padStart(5, '0')},${i === 4321 ? 'oops' : (i / 8).toFixed(3)}`);
  const text = lines.join('\n') + '\n\n';
  const t = readCsv(Buffer.from(text), 'z.csv');
  const p = parseCsv(text, 'z.csv');
  assert.ok(t.values.get('id') instanceof Float64Array);
  assert.deepEqual(t.values.get('x'), p.values.get('x'), 'text column as in parseCsv');
  assert.equal(inferType(t.values.get('x')!), 'cat');
  assert.throws(() => tableColumn(t, 'x', 'num'), { message: /^z\.csv:4323 column "x": "oops" is not a number/ });
  const zip = tableColumn(t, 'zip', 'cat');
  assert.deepEqual(zip.values, p.values.get('zip'), 'zip codes keep their leading zeros');
  assert.equal(zip.values[7], '00007');
  assert.deepEqual(tableColumn(t, 'id', 'num').values, Float64Array.from({ length: rows }, (_, i) => i));
  assert.deepEqual(t.lines, p.lines);
});

test('BOM, blank lines, quoted fields with line breaks, header only: same as the text API', () => {
  const texts = [
    '\ufeffa,b\n1,2\n\n3,"x\ny"\n4,5\n',
    'a,b\r\n\r\n1,""\r\n"2",3',
    'only,header\n',
    '\n\na\n1\n\n2\n',
    'a,b\n"1,5",2\n3,"say ""hi"""\n',
  ];
  for (const text of texts) {
    const t = readCsv(Buffer.from(text), 'f.csv');
    const p = parseCsv(text, 'f.csv');
    assert.deepEqual(t.columns, p.columns, text);
    assert.deepEqual(t.lines, p.lines, text);
    for (const name of p.columns) {
      for (const type of ['num', 'cat'] as const) {
        let expected: unknown;
        try {
          expected = Array.from(tableColumn(p, name, type).values as ArrayLike<unknown>);
        } catch (e) {
          assert.throws(() => tableColumn(t, name, type), { message: (e as Error).message });
          continue;
        }
        assert.deepEqual(Array.from(tableColumn(t, name, type).values as ArrayLike<unknown>), expected, `${JSON.stringify(text)} ${name} as ${type}`);
      }
    }
  }
});

test('errors name the file and line, from the bytes as from the text', () => {
  const cases: [string, RegExp][] = [
    ['', /^e\.csv:1: the file is empty/],
    [' \r\n \n', /^e\.csv:1: the file is empty/],
    ['a;b\n1;2\n', /^e\.csv:1: .*;-delimited/],
    ['a,b\n1,2\n3\n', /^e\.csv:3: expected 2 fields/],
    ['a,b\n1,"x\ny"\n3,4,5\n', /^e\.csv:4: expected 2 fields/],
    ['a,b\n1,2\n3,"open\n', /^e\.csv:3: unterminated quoted field/],
    ['a,b\n1,"x"y\n', /^e\.csv:2: unexpected character after a closing quote/],
    ['a,a\n1,2\n', /^e\.csv:1 column "a": duplicate column name/],
    ['a,,b\n1,2,3\n', /^e\.csv:1: header field 2 is empty/],
  ];
  for (const [text, re] of cases) {
    for (const read of [() => readCsv(Buffer.from(text), 'e.csv'), () => parseCsv(text, 'e.csv')]) {
      assert.throws(read, (e: unknown) => e instanceof DatasetError && re.test(e.message), JSON.stringify(text));
    }
  }
});
