/** The `/ingest` report types live in protocol/ (the browser reads them too); re-exported for the loadgen. */
export type { LoadgenTickReport, Percentiles, TickHistograms } from '../protocol/loadgen-report.js';
