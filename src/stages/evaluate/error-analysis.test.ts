import { describe, expect, it } from 'vitest';
import { classifyStudentErrors } from './error-analysis.js';

describe('classifyStudentErrors', () => {
  it('classes student errors as inherited (teacher wrong too) or compression (teacher right)', () => {
    const analysis = classifyStudentErrors(['a', 'b', 'c', 'd'], [false, false, true, true], [false, true, false, true]);
    expect(analysis).toEqual({
      student_errors: 2, inherited: 1, compression: 1, student_only_correct: 1,
      ids: { inherited: ['a'], compression: ['b'], student_only_correct: ['c'] },
    });
  });
});
