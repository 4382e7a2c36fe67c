/** The Snapshot types live in protocol/ (the browser bundle reads them too); re-exported for metrics. */
export type { LoadgenSummary, RoomSample, Snapshot, TotalsSample } from '../protocol/snapshot.js';
