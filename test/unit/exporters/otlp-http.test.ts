// The otlp_http exporter in the real agent: spans sent with the OTel SDK become metrics pushed to a test
// OTLP/HTTP endpoint (a node http server), decoded from OTLP/JSON and checked for exact values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { metricsUrl, otlpHttpConfig } from '../../../src/exporters/otlp_http/config.js';
import { eventually, startAgent, type AgentHandle } from '../../helpers/agent.js';
import { emitPrediction, otelClient, type Client } from '../../helpers/otel-client.js';
import { agentEnv } from './agent-env.js';

interface Push {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

type Attr = { key: string; value: { stringValue?: string } };
const attrs = (list: Attr[] = []) => Object.fromEntries(list.map((a) => [a.key, a.value.stringValue]));

/** name -> data points with plain attributes, from one OTLP/JSON ExportMetricsServiceRequest. */
function pointsByName(body: any): Map<string, { attributes: Record<string, string | undefined>; value?: number; count?: number; buckets?: number[]; bounds?: number[] }[]> {
  const out = new Map<string, any[]>();
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const list = out.get(m.name) ?? [];
        for (const p of m.sum?.dataPoints ?? m.gauge?.dataPoints ?? []) list.push({ attributes: attrs(p.attributes), value: Number(p.asInt ?? p.asDouble) });
        for (const p of m.histogram?.dataPoints ?? []) list.push({ attributes: attrs(p.attributes), count: Number(p.count), buckets: p.bucketCounts.map(Number), bounds: p.explicitBounds });
        out.set(m.name, list);
      }
    }
  }
  return out;
}

describe('otlp_http exporter', () => {
  test('the metrics url gets /v1/metrics unless it has it', () => {
    assert.equal(metricsUrl('http://collector:4318'), 'http://collector:4318/v1/metrics');
    assert.equal(metricsUrl('http://collector:4318/'), 'http://collector:4318/v1/metrics');
    assert.equal(metricsUrl('https://x.example/otlp'), 'https://x.example/otlp/v1/metrics');
    assert.equal(metricsUrl('http://c:4318/v1/metrics'), 'http://c:4318/v1/metrics');
  });

  test('config: defaults, and refusals', () => {
    assert.deepEqual(otlpHttpConfig.parse({ endpoint: 'http://c:4318' }), { endpoint: 'http://c:4318', headers: {}, interval: 60_000, timeout: 10_000, temporality: 'cumulative' });
    assert.equal(otlpHttpConfig.safeParse({ endpoint: 'c:4318' }).success, false);
    assert.equal(otlpHttpConfig.safeParse({ endpoint: 'ftp://c' }).success, false);
    assert.equal(otlpHttpConfig.safeParse({ endpoint: 'http://c', interval: '1s', timeout: '5s' }).success, false);
    assert.equal(otlpHttpConfig.safeParse({ endpoint: 'http://c', extra: 1 }).success, false);
  });

  describe('in the real agent', () => {
    let server: Server;
    let agent: AgentHandle;
    let client: Client;
    const pushes: Push[] = [];
    before(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          pushes.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      agent = await startAgent({
        env: agentEnv(),
        config: (ports, dir) => `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc} }
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  stages: {}
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${port}
    headers: { authorization: "Bearer t0k3n" }
    interval: 300ms
    timeout: 300ms
storage: { path: ${join(dir, 'modelwatch.db')}, sync: normal, checkpoint_interval: 100ms }
admin: { endpoint: 127.0.0.1:${ports.admin} }
service:
  pipelines:
    predictions:
      receivers: [otlp]
      processors: [stages]
      exporters: [otlp_http]
`,
      });
      client = otelClient('grpc', agent.ports);
    });
    after(async () => {
      await client?.shutdown();
      const code = await agent?.stop();
      await new Promise((r) => server?.close(r));
      assert.equal(code, 0, `agent exit code; logs:\n${agent?.logs()}`);
    });

    test('pushes exact model metrics and the agent own metrics, with the configured headers', async () => {
      for (let i = 0; i < 5; i++) emitPrediction(client.tracer, { model: 'iris', version: '2', cls: 'setosa', stages: { inference: 0.03 } });
      for (let i = 0; i < 3; i++) emitPrediction(client.tracer, { model: 'iris', version: '2', cls: 'virginica', stages: { inference: 0.3 } });
      for (let i = 0; i < 2; i++) emitPrediction(client.tracer, { model: 'iris', version: '2', error: 'TimeoutError', stages: { inference: 6 } });
      await client.flush();
      const spans = 5 * 2 + 3 * 2 + 2 * 2;
      const iris = { model_name: 'iris', model_version: '2' };
      const points = await eventually(async () => {
        const last = pushes.at(-1);
        if (!last) return undefined;
        const p = pointsByName(last.body);
        const inf = p.get('model_inference_duration_seconds')?.find((x) => x.attributes.model_name === 'iris');
        return inf?.count === 10 ? p : undefined;
      }, 'a push with every prediction');

      const last = pushes.at(-1)!;
      assert.equal(last.path, '/v1/metrics');
      assert.equal(last.headers.authorization, 'Bearer t0k3n');
      assert.match(String(last.headers['content-type']), /application\/json/);

      const predictions = points.get('model_predictions')!;
      assert.deepEqual(predictions.map((x) => [x.attributes.predicted_class, x.value]).sort(), [['setosa', 5], ['virginica', 3]]);
      assert.deepEqual(points.get('model_prediction_errors')!.map((x) => [x.attributes, x.value]), [[{ ...iris, error_type: 'TimeoutError' }, 2]]);
      const inf = points.get('model_inference_duration_seconds')!.find((x) => x.attributes.model_name === 'iris')!;
      assert.deepEqual(inf.bounds, [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]);
      // 5 x 0.03 s (le 0.05), 3 x 0.3 s (le 0.5), 2 x 6 s (le 10)
      assert.deepEqual(inf.buckets, [0, 0, 5, 0, 0, 3, 0, 0, 0, 2, 0]);
      const accepted = points.get('modelwatch_receiver_accepted_spans')!;
      assert.equal(accepted.reduce((n, x) => n + x.value!, 0), spans);
      const resource = attrs(last.body.resourceMetrics[0].resource.attributes);
      assert.equal(resource['service.name'], 'modelwatch');
    });
  });
});
