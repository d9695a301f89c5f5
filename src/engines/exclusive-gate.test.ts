import { describe, expect, it } from 'vitest';
import { ExclusiveGate } from './exclusive-gate.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ExclusiveGate', () => {
  it('runs shared work together and exclusive work alone, without starving the exclusive waiter', async () => {
    const gate = new ExclusiveGate();
    let running = 0;
    const log: string[] = [];
    const work = (name: string, exclusive: boolean) =>
      gate.run(exclusive, async () => {
        running += 1;
        log.push(`${name}:${running}`);
        await tick(20);
        running -= 1;
      });
    await Promise.all([work('a', false), work('b', false), work('x', true), work('c', false), work('y', true)]);
    // a and b share; x waits for both and runs alone; c (queued after x) waits for x; y runs alone after c.
    expect(log).toEqual(['a:1', 'b:2', 'x:1', 'c:1', 'y:1']);
  });
});
