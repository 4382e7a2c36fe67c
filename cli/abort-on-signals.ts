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
