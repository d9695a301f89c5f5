import { parseEmbeddedJson } from '../parse-embedded-json.js';

export interface JudgeVerdict {
  score: number;
  rationale: string;
}

const inRange = (score: number) => Number.isFinite(score) && score >= 1 && score <= 5;

/**
 * A 1–5 score from a judge's free-form answer: JSON `{"score": 4, "rationale": …}` first, then the
 * last `Score: 4` (judges reason before concluding), then `4/5`, then a bare digit. Null when none fits.
 */
export function parseJudgeAnswer(answer: string): JudgeVerdict | null {
  const fromJson = parseJsonVerdict(answer);
  if (fromJson !== null) return fromJson;
  const patterns = [/\bscore\b\**\s*(?:is|of|=|:)?\s*\**\s*([1-5](?:\.\d+)?)(?!\d)/gi, /(?<![\d.])([1-5](?:\.\d+)?)\s*\/\s*5\b/g];
  for (const pattern of patterns) {
    const matches = [...answer.matchAll(pattern)];
    const last = matches[matches.length - 1];
    if (last?.[1] !== undefined) {
      return { score: Number(last[1]), rationale: answer.replace(last[0], '').trim().slice(0, 1000) };
    }
  }
  const bare = /^\s*([1-5])\s*\.?\s*$/.exec(answer);
  return bare?.[1] !== undefined ? { score: Number(bare[1]), rationale: '' } : null;
}

function parseJsonVerdict(answer: string): JudgeVerdict | null {
  const value = parseEmbeddedJson(answer, '{');
  if (typeof value !== 'object' || value === null) return null;
  const object = value as Record<string, unknown>;
  const score = typeof object.score === 'string' ? Number(object.score) : object.score;
  if (typeof score !== 'number' || !inRange(score)) return null;
  const rationale = object.rationale ?? object.reason ?? object.explanation ?? '';
  return { score, rationale: typeof rationale === 'string' ? rationale : JSON.stringify(rationale) };
}
