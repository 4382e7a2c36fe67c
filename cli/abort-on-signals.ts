/**
 * Exit code of a `chatpulse loadgen` or `compare` run that Ctrl-C/SIGTERM cut short: it printed what it
 * measured, but it did not run as asked, so CI must not pass it (1 = thresholds failed or nothing
 * measured, 2 = bad flag, 130 = a second Ctrl-C quit at once).
 */
export const STOPPED_EARLY_EXIT = 3;

/**
 * Ctrl-C or SIGTERM aborts `controller` once (so a run can end politely and still print its summary);
 * a second signal quits at once with 130. Returns the function that removes the handlers.
 */
export function abortOnSignals(controller: AbortController, out: NodeJS.WritableStream = process.stderr): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    out.write('\nstopping (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
