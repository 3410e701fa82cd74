// Environment for starting the real agent from tests run with tsx (`node --import tsx --test ...`): the
// agent's entry point is then TypeScript, so its process needs the tsx loader too. Compiled tests
// (npm test, from dist/) need nothing.
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

export function agentEnv(): Record<string, string> {
  if (!import.meta.url.endsWith('.ts')) return {};
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(tsx).href}`.trim() };
}
