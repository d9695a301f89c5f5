/**
 * Calls `callback` when `signal` aborts; the returned function unregisters it. One real listener per signal,
 * whatever the number of requests: a run's signal lives for 100,000 requests, and an EventTarget listener
 * (or `AbortSignal.any`) per request costs CPU and, when forgotten, memory.
 */
const callbacksBySignal = new WeakMap<AbortSignal, Set<() => void>>();

export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    queueMicrotask(callback);
    return () => undefined;
  }
  let callbacks = callbacksBySignal.get(signal);
  if (callbacks === undefined) {
    const registered = new Set<() => void>();
    callbacks = registered;
    callbacksBySignal.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        callbacksBySignal.delete(signal);
        for (const each of registered) each();
      },
      { once: true },
    );
  }
  const entry = (): void => callback();
  callbacks.add(entry);
  return () => callbacks.delete(entry);
}
