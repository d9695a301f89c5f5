import { describe, expect, it } from 'vitest';
import { createVerifier } from './verifier.js';

describe('createVerifier', () => {
  it('searches a regex (anchors are the author’s choice)', () => {
    const verify = createVerifier({ regex: '^\\d+$' });
    expect(verify('42')).toBeNull();
    expect(verify('forty-two')).toContain('does not match');
    expect(createVerifier({ regex: 'yes' })('well, yes.')).toBeNull();
  });

  it('accepts exactly one of the labels, ignoring surrounding whitespace', () => {
    const verify = createVerifier({ labels: ['billing', 'technical'] });
    expect(verify(' billing\n')).toBeNull();
    expect(verify('Billing')).not.toBeNull();
    expect(verify('billing, technical')).not.toBeNull();
  });

  it('accepts JSON and refuses the rest', () => {
    const verify = createVerifier({ json: true });
    expect(verify('{"a": [1, 2]}')).toBeNull();
    expect(verify('{"a": ')).toBe('output is not valid JSON');
  });
});
