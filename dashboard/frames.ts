/** The dashboard's frames and responses live in protocol/ (both ends import them); re-exported for the hub. */
export * from '../protocol/dashboard-frames.js';
