/** Worker thread entry: wires a WorkerEngine to the parent port. */
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerEngine } from './worker-engine.js';
import type { MainToWorker, WorkerInit } from './worker-messages.js';

const port = parentPort;
if (port === null) throw new Error('loadgen/worker.js must run in a worker thread');
const init = workerData as WorkerInit;
try {
  const engine = new WorkerEngine(init, (msg, transfer) => port.postMessage(msg, transfer ?? []));
  port.on('message', (msg: MainToWorker) => engine.onMessage(msg));
  engine.ready();
} catch (err) {
  port.postMessage({ type: 'fatal', worker: init.workerIndex, message: (err as Error).message });
}
