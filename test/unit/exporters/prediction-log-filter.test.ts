// Parsing what users type into a filter: times (ISO, now, relative), booleans, numbers, tags, cursors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, FilterError, parseFilter, parseLimit, parseTime } from '../../../src/exporters/prediction_log/filter.js';

const NOW = Date.UTC(2025, 5, 15, 10, 30);

function params(q: string) {
  const s = new URLSearchParams(q);
  return { get: (n: string) => s.get(n), getAll: (n: string) => s.getAll(n) };
}

test('times: ISO dates and date-times (any offset) to UTC, now, and relative durations before now', () => {
  assert.equal(parseTime('2025-03-10', NOW), '2025-03-10T00:00:00.000Z');
  assert.equal(parseTime('2025-03-10T12:00:00+02:00', NOW), '2025-03-10T10:00:00.000Z');
  assert.equal(parseTime('now', NOW), new Date(NOW).toISOString());
  assert.equal(parseTime('-24h', NOW), new Date(NOW - 86_400_000).toISOString());
  assert.equal(parseTime('-1h30m', NOW), new Date(NOW - 5_400_000).toISOString());
  assert.equal(parseTime('-7d', NOW), new Date(NOW - 7 * 86_400_000).toISOString());
  for (const bad of ['yesterday', '-24x', '24', '2025-13-45', '', '-']) assert.throws(() => parseTime(bad, NOW), FilterError, bad);
});

test('a query string becomes a filter; every bad value is a FilterError naming the parameter', () => {
  assert.deepEqual(parseFilter(params('model=iris&version=2&class=setosa&min_confidence=0.2&max_confidence=0.9&labelled=true&correct=false&errors=0&error_type=OOM&tag=user_id%3D4%3D2&tag=t%3Da&from=-1h&to=now'), NOW), {
    model: 'iris', version: '2', predictedClass: 'setosa', minConfidence: 0.2, maxConfidence: 0.9, labelled: true, correct: false, errors: false, errorType: 'OOM',
    tags: { user_id: '4=2', t: 'a' }, from: new Date(NOW - 3_600_000).toISOString(), to: new Date(NOW).toISOString(),
  });
  assert.deepEqual(parseFilter(params(''), NOW), {});
  const cases: [string, RegExp][] = [
    ['min_confidence=1.5', /min_confidence/],
    ['max_confidence=', /max_confidence/],
    ['labelled=maybe', /labelled/],
    ['tag==x', /tag must be key=value/],
    ['from=now&to=-1h', /from .* is after to/],
  ];
  for (const [q, message] of cases) assert.throws(() => parseFilter(params(q), NOW), (e: Error) => e instanceof FilterError && message.test(e.message), q);
  assert.equal(parseLimit(null), 100);
  assert.equal(parseLimit('10000'), 10_000);
  for (const bad of ['0', '10001', '1.5', 'ten']) assert.throws(() => parseLimit(bad), FilterError, bad);
});

test('cursors round-trip, normalise the time, and refuse anything else', () => {
  const c = { time: '2025-03-10T12:00:00.250Z', id: 'a "quoted" id/é' };
  assert.deepEqual(decodeCursor(encodeCursor(c)), c);
  assert.match(encodeCursor(c), /^[A-Za-z0-9_-]+$/, 'safe in a URL');
  for (const bad of ['', 'zz', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["not a time","x"]').toString('base64url')]) {
    assert.throws(() => decodeCursor(bad), FilterError, bad);
  }
});
