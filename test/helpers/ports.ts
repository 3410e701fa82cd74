import { createServer } from 'node:net';

// Ports already handed out in this process. The kernel may give a just-closed port to the next
// listen(0), so two helpers asking at once (an agent and an Alertmanager started together) could
// otherwise both be told the same port.
const handedOut = new Set<number>();

/** A port that was free a moment ago on 127.0.0.1, and never returned before in this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
