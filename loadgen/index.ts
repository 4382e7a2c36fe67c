/** The load generator's public face (DESIGN §9). */
export { runLoad } from './run-load.js';
export type { RunHooks } from './run-load.js';
export { defaultLoadOptions, defaultWorkers, LoadOptionsError, parseTarget, resolveLoadOptions, runNickPrefix, splitTargetSpec, targetIndex, targetsLabel, targetUrl } from './options.js';
export type { LoadOptions, Target } from './options.js';
export { parseScenario, ScenarioError } from './scenario.js';
export type { Phase, PhaseType, Scenario } from './scenario.js';
export { parseThreshold, ThresholdError } from './thresholds.js';
export type { Threshold, ThresholdResult } from './thresholds.js';
export { formatSummary } from './summary.js';
export { reachWindowMs, UnreachableError } from './target-reach.js';
export type { LoadSummary } from './summary.js';
export { adapterFor, checkSpec, getProtocol, isSpecProtocol, loadSpec, newProtocolEvent, protocolNames, protocols, SpecError } from './protocols/index.js';
export type { ProtocolSpec, ProtocolAdapter, ProtocolEvent, ProtocolEventKind, ProtocolSession } from './protocols/index.js';
export type { LoadgenTickReport, Percentiles, TickHistograms } from './report.js';
export { countsArrayLength, encodeWire, HistogramWireError, WIRE_LIMITS, WireHistogram } from './histogram-wire.js';
export { HIGHEST_US, newHistogram, percentilesMs } from './histograms.js';
export type { Histogram } from './histograms.js';
export type { TickView } from './aggregate.js';
