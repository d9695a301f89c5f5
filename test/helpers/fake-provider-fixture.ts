import { afterEach, beforeEach } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';

/** A fake provider per test (the key the task fixtures expect), closed afterwards. */
export function useFakeProvider(): () => FakeProvider {
  let provider: FakeProvider | undefined;
  beforeEach(async () => {
    provider = await startFakeProvider({ apiKey: 'sk-test-secret' });
  });
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });
  return () => {
    if (!provider) throw new Error('the fake provider runs only inside a test');
    return provider;
  };
}
