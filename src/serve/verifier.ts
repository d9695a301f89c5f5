import type { VerifyRule } from '../config/serve-config.js';

/** Checks an output: null when it passes, otherwise why it fails (recorded as the fallback detail). */
export type Verifier = (output: string) => string | null;

export function createVerifier(rule: VerifyRule): Verifier {
  if ('regex' in rule) {
    const pattern = new RegExp(rule.regex);
    return (output) => (pattern.test(output) ? null : `output does not match /${rule.regex}/`);
  }
  if ('labels' in rule) {
    const labels = new Set(rule.labels);
    return (output) => (labels.has(output.trim()) ? null : `output is not one of the ${labels.size} labels`);
  }
  return (output) => {
    try {
      JSON.parse(output);
      return null;
    } catch {
      return 'output is not valid JSON';
    }
  };
}
