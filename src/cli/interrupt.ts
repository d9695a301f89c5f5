/** First Ctrl-C: stop cleanly (in-flight work is written, the run resumes later). Second: exit at once. */
export function interruptSignal(stream: NodeJS.WriteStream = process.stderr): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    stream.write('\nstopping after the requests in flight… (Ctrl-C again to exit now)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
