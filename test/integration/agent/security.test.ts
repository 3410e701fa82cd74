// TLS, mutual TLS and bearer tokens on the OTLP receivers and the admin port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { eventually, startAgent, type AgentHandle } from '../../helpers/agent.js';
import { makeCerts, type Certs } from '../../helpers/certs.js';
import { emitPrediction } from '../../helpers/otel-client.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';

const TOKEN = 'test-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

interface Reply {
  status: number;
  body: string;
}

function https(port: number, path: string, certs: Certs, opts: { method?: string; headers?: Record<string, string>; body?: string; clientCert?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers,
        ca: readFileSync(certs.caCert),
        ...(opts.clientCert ? { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const SPAN_JSON = JSON.stringify({
  resourceSpans: [{ scopeSpans: [{ spans: [{
    traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'predict', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000',
    attributes: [{ key: 'ml.model.name', value: { stringValue: 'secure' } }, { key: 'ml.prediction.class', value: { stringValue: 'a' } }],
  }] }] }],
});

describe('TLS, mTLS and bearer tokens', () => {
  let certs: Certs;
  let agent: AgentHandle;
  before(async () => {
    certs = makeCerts();
    writeFileSync(join(certs.dir, 'token'), TOKEN + '\n');
    agent = await startAgent({
      env: { MW_ADMIN_TOKEN: ADMIN_TOKEN },
      config: (ports, dir) => `receivers:
  otlp:
    auth: { bearer_token_file: ${join(certs.dir, 'token')} }
    protocols:
      grpc:
        endpoint: 127.0.0.1:${ports.grpc}
        tls: { cert_file: ${certs.serverCert}, key_file: ${certs.serverKey}, client_ca_file: ${certs.caCert} }
      http:
        endpoint: 127.0.0.1:${ports.http}
        tls: { cert_file: ${certs.serverCert}, key_file: ${certs.serverKey} }
processors:
  stages: {}
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.prometheus} }
storage: { path: ${join(dir, 'm.db')}, sync: normal, checkpoint_interval: 100ms }
admin:
  endpoint: 127.0.0.1:${ports.admin}
  tls: { cert_file: ${certs.serverCert}, key_file: ${certs.serverKey} }
  auth: { bearer_token_env: MW_ADMIN_TOKEN }
service:
  pipelines:
    p: { receivers: [otlp], processors: [stages], exporters: [prometheus] }
`,
      healthz: (ports) => https(ports.admin, '/healthz', certs).then((r) => r.status === 200),
    });
  });
  after(async () => {
    assert.equal(await agent?.stop(), 0);
  });

  test('OTLP/HTTPS needs the bearer token', async () => {
    const headers = { 'content-type': 'application/json' };
    const none = await https(agent.ports.http, '/v1/traces', certs, { method: 'POST', headers, body: SPAN_JSON });
    assert.equal(none.status, 401);
    const wrong = await https(agent.ports.http, '/v1/traces', certs, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope-nope-nope-nope-nope' }, body: SPAN_JSON });
    assert.equal(wrong.status, 401);
    const ok = await https(agent.ports.http, '/v1/traces', certs, { method: 'POST', headers: { ...headers, authorization: `Bearer ${TOKEN}` }, body: SPAN_JSON });
    assert.equal(ok.status, 200, ok.body);
  });

  test('OTLP/gRPC with mutual TLS: the real OTel exporter with a client certificate and the token gets through', async () => {
    const credentials = grpc.credentials.createSsl(readFileSync(certs.caCert), readFileSync(certs.clientKey), readFileSync(certs.clientCert));
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `https://127.0.0.1:${agent.ports.grpc}`, credentials, metadata }))] });
    emitPrediction(provider.getTracer('t'), { model: 'secure', version: 'v', cls: 'grpc' });
    await provider.forceFlush();
    await provider.shutdown();
    await eventually(async () => (sampleValue(parsePromText(await adminlessMetrics()), 'model_predictions_total', { model_name: 'secure', predicted_class: 'grpc' }) === 1 ? true : undefined), 'the mTLS prediction counted');
  });

  test('gRPC without a client certificate is refused at the handshake; without the token, UNAUTHENTICATED', async () => {
    const noCert = new grpc.Client(`127.0.0.1:${agent.ports.grpc}`, grpc.credentials.createSsl(readFileSync(certs.caCert)));
    const noCertResult = await unary(noCert, new grpc.Metadata());
    assert.equal(noCertResult, grpc.status.UNAVAILABLE);
    const noToken = new grpc.Client(`127.0.0.1:${agent.ports.grpc}`, grpc.credentials.createSsl(readFileSync(certs.caCert), readFileSync(certs.clientKey), readFileSync(certs.clientCert)));
    assert.equal(await unary(noToken, new grpc.Metadata()), grpc.status.UNAUTHENTICATED);
    const s = parsePromText(await adminlessMetrics());
    assert.equal(sampleValue(s, 'modelwatch_receiver_refused_spans_total', { protocol: 'grpc', reason: 'unauthenticated' }), 1);
    assert.equal(sampleValue(s, 'modelwatch_receiver_refused_spans_total', { protocol: 'http/json', reason: 'unauthenticated' }), 2);
  });

  test('admin over TLS: probes are open, the API needs the admin token', async () => {
    assert.equal((await https(agent.ports.admin, '/readyz', certs)).status, 200);
    assert.equal((await https(agent.ports.admin, '/api/v1/anything', certs)).status, 404, 'unknown paths are 404 before auth');
    agent.logs().includes(TOKEN) && assert.fail('the receiver token appeared in the log');
    assert.ok(!agent.logs().includes(ADMIN_TOKEN), 'the admin token appeared in the log');
  });

  async function adminlessMetrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${agent.ports.prometheus}/metrics`)).text();
  }
});

function unary(client: grpc.Client, metadata: grpc.Metadata): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), metadata, { deadline: Date.now() + 5000 }, (err) => {
      client.close();
      resolve(err?.code ?? 0);
    });
  });
}
