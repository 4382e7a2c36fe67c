/**
 * The chat protocol's one home (DESIGN §3): each line's formatter beside its parser, the line decoder,
 * and the units people type. Imports nothing else of ours, so that every other folder may import it.
 * The browser imports `./lines.js` instead: this face also carries the byte-stream parts, which need Node.
 */
export * from './lines.js';
export { describeControl, defuseControls, findControl } from './controls.js';
export { LineDecoder } from './line-decoder.js';
export type { LineDecoderHandlers } from './line-decoder.js';
export { formatBytes, formatDuration, parseBytes, parseDuration } from './units.js';
