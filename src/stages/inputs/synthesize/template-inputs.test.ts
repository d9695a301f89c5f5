import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.js';
import { synthesizeFromTemplates } from './template-inputs.js';

const temperature = { id: 'f-to-c', template: 'Convert temperature {value} F to Celsius', slots: { value: { range: [-40, 120] as [number, number], step: 1 } } };
const distance = { id: 'km', template: 'How many {unit} in {count} km?', slots: { unit: { values: ['miles', 'meters'] }, count: { values: [1, 5] } } };

describe('synthesizeFromTemplates', () => {
  it('expands the cartesian product, interleaving templates, and records the template id', () => {
    const inputs = synthesizeFromTemplates({ templates: [temperature, distance] });
    expect(inputs).toHaveLength(161 + 4);
    expect(inputs.slice(0, 4).map((input) => input.input)).toEqual([
      'Convert temperature -40 F to Celsius',
      'How many miles in 1 km?',
      'Convert temperature -39 F to Celsius',
      'How many miles in 5 km?',
    ]);
    expect(inputs[1]).toEqual({ id: 'km-0', input: 'How many miles in 1 km?', fields: { template: 'km', slots: { unit: 'miles', count: 1 } } });
    expect(synthesizeFromTemplates({ templates: [temperature, distance], n: 6 }).filter((input) => input.fields.template === 'km')).toHaveLength(3);
  });

  it('samples n distinct inputs reproducibly from a seed', () => {
    const first = synthesizeFromTemplates({ templates: [temperature], mode: 'sample', n: 20, seed: 7 });
    const again = synthesizeFromTemplates({ templates: [temperature], mode: 'sample', n: 20, seed: 7 });
    const other = synthesizeFromTemplates({ templates: [temperature], mode: 'sample', n: 20, seed: 8 });
    expect(first).toEqual(again);
    expect(first).not.toEqual(other);
    expect(new Set(first.map((input) => input.input)).size).toBe(20);
  });

  it('stops short when the templates cannot give n distinct inputs', () => {
    expect(synthesizeFromTemplates({ templates: [distance], mode: 'sample', n: 10 })).toHaveLength(4);
  });

  it('handles fractional steps and rejects undefined slots', () => {
    const steps = synthesizeFromTemplates({ templates: [{ id: 's', template: 'x={v}', slots: { v: { range: [0, 0.3], step: 0.1 } } }] });
    expect(steps.map((input) => input.input)).toEqual(['x=0', 'x=0.1', 'x=0.2', 'x=0.3']);
    expect(() => synthesizeFromTemplates({ templates: [{ id: 'bad', template: 'Hi {name}' }] })).toThrow(ConfigError);
  });
});
