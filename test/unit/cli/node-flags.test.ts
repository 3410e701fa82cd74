// The young generation's size can only be set on node's command line (heap-tuning.ts): every way the
// agent is started must pass the same flags, and a process started without them must know it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AGENT_NODE_FLAGS } from '../../../src/pipeline/heap-tuning.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const flags = [...AGENT_NODE_FLAGS];
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

test('the modelwatch command, npm start and the image start node with the agent flags', () => {
  const shebang = read('src/cli/main.ts').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags.join(' ')}`);
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
  assert.match(start, new RegExp(`&& node ${flags.join(' ')} dist/src/cli/main\\.js run `));
  const entrypoint = read('Dockerfile').split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  assert.deepEqual(JSON.parse(entrypoint!.slice('ENTRYPOINT '.length)), ['node', ...flags, 'dist/src/cli/main.js']);
});

test('a process knows whether it was started with them: on the command line, in NODE_OPTIONS, or not', () => {
  const module = pathToFileURL(join(import.meta.dirname, '../../../src/pipeline/heap-tuning.js')).href;
  const script = `import(${JSON.stringify(module)}).then((m) => console.log(JSON.stringify(m.missingNodeFlags())))`;
  const run = (args: string[], nodeOptions = '') =>
    JSON.parse(execFileSync(process.execPath, [...args, '-e', script], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' }));
  assert.deepEqual(run([]), flags);
  assert.deepEqual(run(flags), []);
  assert.deepEqual(run([], flags.join(' ')), []);
});

test("with the flag released, a thread started after it gets its resourceLimits' young generation, not the flag's", () => {
  const module = pathToFileURL(join(import.meta.dirname, '../../../src/pipeline/heap-tuning.js')).href;
  // The thread churns through short-lived garbage, so its new space grows to whatever limit it has.
  const thread = `
    const { parentPort } = require('node:worker_threads');
    const v8 = require('node:v8');
    let keep = [];
    for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);`;
  const script = (release: boolean) => `
    import(${JSON.stringify(module)}).then((m) => {
      if (${release}) m.releaseYoungGenerationFlag();
      const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(thread)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      w.on('message', (bytes) => { console.log(bytes); w.terminate(); });
    })`;
  const newSpaceMiB = (release: boolean) =>
    Number(execFileSync(process.execPath, [...flags, '-e', script(release)], { env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' })) / 2 ** 20;
  const held = newSpaceMiB(false);
  const released = newSpaceMiB(true);
  assert.ok(held > 8, `with the flag in force the thread's new space should outgrow its 8 MiB limit, got ${held} MiB`);
  assert.ok(released <= 8, `released: ${released} MiB`);
});
