/** `chatpulse compare` (DESIGN §1, §11): the same seeded load against several servers, side by side. */
export { runCompare, parseCompareTargets } from './run-compare.js';
export type { CompareHooks, CompareOptions, CompareResult, RunSpectrum } from './run-compare.js';
export { defaultFindMax, findMax, judge } from './find-max.js';
export type { FindMaxOptions, FindMaxResult, FindMaxStep } from './find-max.js';
export { CSV_COLUMNS, FIGURES, thresholdLine } from './compare-rows.js';
export type { CompareFigures, CompareRow, CompareTarget } from './compare-rows.js';
export { compareDirName, compareMarkdown, writeCompareFiles } from './compare-files.js';
export { renderCompareHtml } from './compare-html.js';
