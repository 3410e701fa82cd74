// The ceiling: a bare grpc-js server (and a bare node:http server) that answers OTLP Export calls
// without decoding them. Run as its own process, like the agent, so both are measured the same way.
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:http';

const [grpcPort, httpPort] = process.argv.slice(2).map(Number);
const identity = (b: Buffer) => b;
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService(
  { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
  { Export: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)) },
);
server.bindAsync(`127.0.0.1:${grpcPort}`, grpc.ServerCredentials.createInsecure(), () => {
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
      res.end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  }).listen(httpPort, '127.0.0.1', () => process.send?.('ready'));
});
