/**
 * Preloaded into bench server processes only (`node --expose-gc --import …/gc-on-signal.js`): SIGUSR2
 * runs a full GC, so that scenario 5 reads RSS after garbage rather than before it. The server's code
 * knows nothing of it.
 */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
