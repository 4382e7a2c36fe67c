/**
 * Every loadgen worker thread loads the worker module; it must not drag in the server (and with it
 * ioredis and its dependencies) just to split lines or read a duration. ioredis is CommonJS, so once
 * any ESM module imports it, it sits in the shared CommonJS module cache, which a child process prints.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The files in the CommonJS module cache after a fresh node imports `module` (a path under dist/). */
async function cjsLoadedBy(module: string): Promise<string[]> {
  const url = pathToFileURL(path.join(dist, module)).href;
  const script = [
    "import { createRequire } from 'node:module';",
    `await import(${JSON.stringify(url)});`,
    'process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: dist });
  return JSON.parse(stdout) as string[];
}

const isIoredis = (file: string) => file.split(path.sep).includes('ioredis');

test('the check sees ioredis when the server is imported', async () => {
  // Without this the test below could pass because the check sees nothing at all.
  assert.ok((await cjsLoadedBy('server/index.js')).some(isIoredis));
});

test('importing the loadgen worker module does not load ioredis', async () => {
  const loaded = await cjsLoadedBy('loadgen/worker-engine.js');
  assert.equal(loaded.filter(isIoredis), []);
});

test('importing the terminal client does not load ioredis', async () => {
  const loaded = await cjsLoadedBy('client/line-socket.js');
  assert.equal(loaded.filter(isIoredis), []);
});

test.run();
