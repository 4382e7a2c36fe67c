export { buildRunDiff, DIFF_FIGURES, diffFigures, DiffThresholdError, evaluateDiffThresholds, parseDiffThreshold, verdictOf } from './run-diff.js';
export type { DiffThreshold } from './run-diff.js';
export { ReportBundleMissing, readReportBundle, renderRunReportHtml } from './report-html.js';
export { buildRunReport, ReportError } from './run-report-data.js';
export { diffFileName, REPORT_FILE, writePage, writeRunReport } from './write-report.js';
