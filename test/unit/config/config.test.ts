// Config loading: env expansion, merging, strict schemas, and problems that point at the right line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../../src/components.js';
import { ConfigError, formatProblem } from '../../../src/config/problems.js';
import { loadConfig, resolveSource } from '../../../src/config/resolve.js';
import { expandEnv, parseConfigText } from '../../../src/config/source.js';
import { parseBytes, parseDuration } from '../../../src/config/units.js';

const dir = mkdtempSync(join(tmpdir(), 'modelwatch-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const VALID = `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:4317 }
processors:
  stages: {}
exporters:
  prometheus: { endpoint: "127.0.0.1:9464" }
service:
  pipelines:
    predictions:
      receivers: [otlp]
      processors: [stages]
      exporters: [prometheus]
`;

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected the config to be refused');
}

describe('units', () => {
  test('durations', () => {
    assert.equal(parseDuration('15m'), 15 * 60_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1500'), 1500);
    assert.equal(parseDuration('15 minutes'), undefined);
    assert.equal(parseDuration('m15'), undefined);
  });
  test('byte sizes', () => {
    assert.equal(parseBytes('1GiB'), 1024 ** 3);
    assert.equal(parseBytes('512MiB'), 512 * 1024 ** 2);
    assert.equal(parseBytes('100MB'), 100e6);
    assert.equal(parseBytes('42'), 42);
    assert.equal(parseBytes('1 GiB'), 1024 ** 3);
    assert.equal(parseBytes('1GiBs'), undefined);
  });
});

describe('env expansion', () => {
  test('values, defaults, escapes and unset variables', () => {
    const problems: string[] = [];
    const env = { A: 'alpha', EMPTY: '' };
    assert.equal(expandEnv('x-${env:A}-y', env, (m) => problems.push(m)), 'x-alpha-y');
    assert.equal(expandEnv('${env:B:-fallback}', env, (m) => problems.push(m)), 'fallback');
    assert.equal(expandEnv('${env:EMPTY:-d}', env, (m) => problems.push(m)), 'd');
    assert.equal(expandEnv('$${env:A}', env, (m) => problems.push(m)), '${env:A}');
    assert.equal(problems.length, 0);
    expandEnv('${env:MISSING}', env, (m) => problems.push(m));
    assert.match(problems[0], /MISSING is not set/);
  });

  test('a whole-scalar reference takes its YAML type', () => {
    const src = parseConfigText('a: ${env:PORT}\nb: "${env:PORT}"\nc: ${env:FLAG}\n', 'x.yaml', { PORT: '4317', FLAG: 'true' });
    assert.deepEqual(src.value, { a: 4317, b: '4317', c: true });
  });
});

describe('loading and validation', () => {
  test('a valid config resolves with defaults filled in', () => {
    const cfg = loadConfig([file('valid.yaml', VALID)], builtinRegistry(), {});
    assert.equal(cfg.storage.max_bytes, 1024 ** 3);
    assert.equal(cfg.storage.sync, 'full');
    assert.equal(cfg.admin.endpoint, '127.0.0.1:13133');
    const otlp = cfg.components.get('receiver:otlp')!.config as { protocols: { grpc?: { endpoint: string }; http?: unknown } };
    assert.equal(otlp.protocols.grpc!.endpoint, '127.0.0.1:4317');
    assert.equal(otlp.protocols.http, undefined, 'only the listed protocols are enabled');
    const stages = cfg.components.get('processor:stages')!.config as { buckets: number[] };
    assert.deepEqual(stages.buckets, [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]);
  });

  test('every problem is reported at once, each with its path and line', () => {
    const text = `receivers:
  otlp:
    protocols:
      grpc: { endpoint: "not-an-endpoint" }
      htpp: {}
processors:
  stages:
    buckets: [0.5, 0.1]
  nosuch: {}
exporters:
  prometheus: { endpoint: 127.0.0.1:9464, colour: blue }
storage:
  max_bytes: lots
service:
  pipelines:
    predictions:
      receivers: [otlp, missing]
      processors: [stages]
      exporters: [prometheus]
`;
    const f = file('bad.yaml', text);
    const problems = problemsOf(() => loadConfig([f], builtinRegistry(), {}));
    const byPath = new Map(problems.map((p) => [p.path, p]));
    const expect = (path: string, line: number, pattern: RegExp) => {
      const p = byPath.get(path);
      assert.ok(p, `no problem at ${path}; got ${problems.map(formatProblem).join(' | ')}`);
      assert.equal(p.location?.line, line, `line of ${path}`);
      assert.equal(p.location?.file, f);
      assert.match(p.message, pattern);
    };
    expect('receivers::otlp::protocols::grpc::endpoint', 4, /host:port/);
    expect('receivers::otlp::protocols::htpp', 5, /unknown key "htpp"/);
    expect('processors::stages::buckets', 8, /ascending/);
    expect('processors::nosuch', 9, /unknown processor type "nosuch" \(known: .*stages/);
    expect('exporters::prometheus::colour', 11, /unknown key "colour"/);
    expect('storage::max_bytes', 13, /not a byte size/);
    expect('service::pipelines::predictions::receivers::1', 17, /"missing" is not defined/);
    assert.equal(problems.length, 7, problems.map(formatProblem).join('\n'));
    assert.match(formatProblem(byPath.get('storage::max_bytes')!), new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:13:\\d+: storage::max_bytes: `));
  });

  test('YAML syntax errors point at their line', () => {
    const f = file('syntax.yaml', 'receivers:\n  otlp: {\nprocessors: []\n');
    const problems = problemsOf(() => loadConfig([f], builtinRegistry(), {}));
    assert.ok(problems.length >= 1);
    assert.match(problems[0].message, /^YAML: /);
    assert.ok(problems[0].location && problems[0].location.line >= 2);
  });

  test('an unset variable is a problem at its line', () => {
    const f = file('env.yaml', VALID.replace('"127.0.0.1:9464"', '"${env:PROM_ENDPOINT}"'));
    const problems = problemsOf(() => loadConfig([f], builtinRegistry(), {}));
    assert.equal(problems[0].path, 'exporters::prometheus::endpoint');
    assert.equal(problems[0].location?.line, 8);
    assert.match(problems[0].message, /PROM_ENDPOINT is not set/);
    const ok = loadConfig([f], builtinRegistry(), { PROM_ENDPOINT: '127.0.0.1:9999' });
    assert.equal((ok.components.get('exporter:prometheus')!.config as { endpoint: string }).endpoint, '127.0.0.1:9999');
  });

  test('several files merge left to right', () => {
    const base = file('base.yaml', VALID);
    const over = file('over.yaml', 'exporters:\n  prometheus: { endpoint: 127.0.0.1:9500 }\nstorage: { path: /tmp/x.db }\n');
    const cfg = loadConfig([base, over], builtinRegistry(), {});
    assert.equal((cfg.components.get('exporter:prometheus')!.config as { endpoint: string }).endpoint, '127.0.0.1:9500');
    assert.equal(cfg.storage.path, '/tmp/x.db');
    assert.ok(cfg.components.has('receiver:otlp'), 'keys of the first file are kept');
    // a problem in the second file is located in the second file
    const bad = file('over-bad.yaml', 'storage:\n  sync: sometimes\n');
    const problems = problemsOf(() => loadConfig([base, bad], builtinRegistry(), {}));
    assert.equal(problems[0].location?.file, bad);
    assert.equal(problems[0].location?.line, 2);
  });

  test('component ids are type[/name]; a name may repeat a type', () => {
    const src = parseConfigText(VALID.replace('  stages: {}', '  stages: {}\n  stages/slow: { buckets: [1, 10] }').replace('processors: [stages]', 'processors: [stages, stages/slow]'), 'x.yaml', {});
    const cfg = resolveSource(src, builtinRegistry());
    assert.deepEqual((cfg.components.get('processor:stages/slow')!.config as { buckets: number[] }).buckets, [1, 10]);
    const bad = parseConfigText(VALID.replace('  stages: {}', '  "Stages!": {}'), 'x.yaml', {});
    const problems = problemsOf(() => resolveSource(bad, builtinRegistry()));
    assert.ok(problems.some((p) => p.path === 'processors::Stages!' && /not a component id/.test(p.message)));
  });

  test('two SQLite prediction logs of the pipelines cannot write one table', () => {
    const twoLogs = VALID.replace('  prometheus: { endpoint: "127.0.0.1:9464" }', [
      '  prometheus: { endpoint: "127.0.0.1:9464" }',
      '  prediction_log/a: { path: data/p.db }',
      '  prediction_log/b: { path: ./data/../data/p.db }',
      '  prediction_log/c: { path: data/p.db, table: other }',
      '  prediction_log/unused: { path: data/p.db }',
    ].join('\n'));
    const src = parseConfigText(twoLogs.replace('exporters: [prometheus]', 'exporters: [prometheus, prediction_log/a, prediction_log/b, prediction_log/c]'), 'x.yaml', {});
    const problems = problemsOf(() => resolveSource(src, builtinRegistry()));
    assert.deepEqual(problems.map((p) => [p.path, p.location?.line]), [['exporters::prediction_log/b::path', 10]]);
    assert.match(problems[0].message, /the SQLite table predictions in .*data\/p\.db is already written by prediction_log\/a/);
    // Different tables of one file, or a log no pipeline uses, are fine.
    resolveSource(parseConfigText(twoLogs.replace('exporters: [prometheus]', 'exporters: [prometheus, prediction_log/a, prediction_log/c]'), 'x.yaml', {}), builtinRegistry());
  });

  test('a pipeline needs receivers and exporters', () => {
    const src = parseConfigText('service:\n  pipelines:\n    p:\n      receivers: []\n      exporters: []\n', 'x.yaml', {});
    const problems = problemsOf(() => resolveSource(src, builtinRegistry()));
    assert.deepEqual(problems.map((p) => p.path).sort(), ['service::pipelines::p::exporters', 'service::pipelines::p::receivers']);
    assert.ok(problems.every((p) => p.location?.line !== undefined));
  });
});
