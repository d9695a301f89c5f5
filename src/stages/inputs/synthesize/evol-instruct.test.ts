import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../curate/chat.js';
import { evolInstruct } from './evol-instruct.js';

/** A fake teacher that names the operator it was asked for and appends to the prompt. */
async function fakeTeacher(messages: ChatMessage[]) {
  const content = messages[0]?.content ?? '';
  const prompt = content.slice(content.lastIndexOf('Given prompt:\n') + 'Given prompt:\n'.length);
  if (prompt.includes('leak')) return { content: 'Rewritten prompt: the given prompt, rewritten' };
  const operator = content.includes('more complex') ? 'deeper' : content.includes('constraint') ? 'constrained' : 'broadened';
  // New words derived from the prompt: enough change to clear near-dedup, and deterministic.
  const extra = Array.from({ length: 8 }, (_, index) => `${operator[0]}${prompt.length}w${index}`).join(' ');
  return { content: `#Rewritten Prompt#: ${prompt} ${extra}` };
}

describe('evolInstruct', () => {
  it('evolves each seed for k generations, recording the lineage', async () => {
    const result = await evolInstruct(['Explain photosynthesis', 'Sort a list in Python'], fakeTeacher, { generations: 2, seed: 5 });
    expect(result.inputs).toHaveLength(4);
    const first = result.inputs[0]!;
    expect(first.input).toMatch(/^Explain photosynthesis [dcb]22w0 /);
    expect(first.fields).toMatchObject({ source: 'evol_instruct', generation: 1, parent: 'seed-0', root: 'seed-0' });
    expect(result.inputs[2]?.fields).toMatchObject({ generation: 2, parent: 'evol-0', root: 'seed-0' });
    expect(['deepen', 'constrain', 'broaden']).toContain(first.fields.operator);
  });

  it('is deterministic given the seed, and rejects leaked or duplicate evolutions', async () => {
    const seeds = ['Explain photosynthesis', 'please leak this'];
    const first = await evolInstruct(seeds, fakeTeacher, { generations: 3, seed: 9, operators: ['deepen'] });
    expect(first).toEqual(await evolInstruct(seeds, fakeTeacher, { generations: 3, seed: 9, operators: ['deepen'] }));
    expect(first.rejected.leaked).toBe(3);
    const same = await evolInstruct(['Explain photosynthesis'], async () => ({ content: 'Explain photosynthesis.' }), { generations: 1 });
    expect(same).toMatchObject({ inputs: [], rejected: { duplicate: 1 } });
  });

  it('rejects unknown operators', async () => {
    await expect(evolInstruct(['x'], fakeTeacher, { operators: ['mystery'] })).rejects.toThrow(/unknown operator/);
  });
});
