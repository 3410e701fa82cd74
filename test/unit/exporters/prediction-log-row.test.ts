// Mapping records to log rows: the formatted times and the resource JSON, which keep a cache each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMNS, NUMBER_COLUMNS, isoTime, rowValues, toRow, wellFormed, type Clean, type LogRow } from '../../../src/exporters/prediction_log/row.js';
import { prediction } from './prediction-log-records.js';

const MIN_MS = -62135596800000; // 0001-01-01T00:00:00.000Z
const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

test('isoTime formats as Date.prototype.toISOString does, across seconds, signs and fractions', () => {
  // A fixed generator (xorshift), so a failure names a reproducible value.
  let x = 0x2545f491;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const values: number[] = [0, -0, 0.5, -0.5, 999.9, 1000, -1, -999.5, -1000, -1001, MIN_MS, MIN_MS + 0.5, MAX_MS, MAX_MS - 0.4, 1795815792241.75];
  for (let i = 0; i < 20_000; i++) {
    // Runs of nearby times (one cached second, then the next), and jumps anywhere in range.
    values.push(i % 3 === 0 ? MIN_MS + next() * (MAX_MS - MIN_MS) : 1795815792000 + (next() - 0.5) * 4000);
  }
  for (const ms of values) assert.equal(isoTime(ms), new Date(ms).toISOString(), `isoTime(${ms})`);
});

test('isoTime refuses times outside the years 0001..9999 and non-finite numbers', () => {
  for (const ms of [MIN_MS - 1, MAX_MS + 1, NaN, Infinity, -Infinity]) assert.equal(isoTime(ms), undefined, String(ms));
});

test('the resource JSON follows the record: shared objects, other objects, other cleaners', () => {
  const shared = { 'service.name': 'a', 'host.name': 'h1' };
  const resourceOf = (r: ReturnType<typeof toRow>) => ('row' in r ? (r.row as LogRow).resource : undefined);
  const rec = (id: string, resource: Record<string, string>) => prediction(id, { resource });
  assert.equal(resourceOf(toRow(rec('p1', shared))), '{"service.name":"a","host.name":"h1"}');
  assert.equal(resourceOf(toRow(rec('p2', shared))), '{"service.name":"a","host.name":"h1"}');
  assert.equal(resourceOf(toRow(rec('p3', { 'service.name': 'b' }))), '{"service.name":"b"}');
  const upper: Clean = (s) => wellFormed(s).toUpperCase();
  const other = { 'service.name': 'c' };
  assert.equal(resourceOf(toRow(rec('p4', other), wellFormed)), '{"service.name":"c"}');
  assert.equal(resourceOf(toRow(rec('p5', other), upper)), '{"SERVICE.NAME":"C"}');
});

test('rowValues lists every column in COLUMNS order, NaN as text', () => {
  // A distinct value per column: a value in the wrong place or a column left out shows.
  const row = Object.fromEntries(COLUMNS.map((c, i) => [c, NUMBER_COLUMNS.has(c) ? i + 0.5 : `v${i}`])) as unknown as LogRow;
  assert.deepEqual(rowValues(row), COLUMNS.map((c) => row[c]));
  const nan = Object.fromEntries(COLUMNS.map((c) => [c, NUMBER_COLUMNS.has(c) ? NaN : null])) as unknown as LogRow;
  assert.deepEqual(rowValues(nan), COLUMNS.map((c) => (NUMBER_COLUMNS.has(c) ? 'NaN' : null)));
});

test('wellFormed replaces lone surrogates with U+FFFD and keeps pairs, as a UTF-8 encoder would', () => {
  // Against a round trip through UTF-8 (Buffer encodes a lone surrogate as U+FFFD), over strings built
  // from high and low surrogates, pairs and plain characters in every order.
  const parts = ['a', '\uD83D', '\uDE00', '\uD83D\uDE00', 'é', '\uDBFF', '\uDC00'];
  let x = 12345;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) % parts.length;
  for (let i = 0; i < 5000; i++) {
    let s = '';
    for (let k = 0; k < 1 + (i % 7); k++) s += parts[next()];
    assert.equal(wellFormed(s), Buffer.from(s, 'utf8').toString('utf8'), JSON.stringify(s));
  }
  const plain = 'no surrogates here';
  assert.equal(wellFormed(plain), plain);
});
