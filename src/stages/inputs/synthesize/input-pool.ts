import { NearDuplicateFinder, type NearDuplicateSettings } from '../../curate/near-dedup/near-duplicate-finder.js';
import { normalizeText } from '../../curate/normalize-text.js';

/** Short instructions: word unigrams, and a looser threshold than curation (Self-Instruct used ROUGE-L < 0.7). */
export const DEFAULT_POOL_SIMILARITY: NearDuplicateSettings = { threshold: 0.7, shingle: 'word', size: 1, numPerm: 128 };

/** The texts accepted so far; a new text is admitted only when it is neither an exact nor a near copy. */
export class InputPool {
  private readonly exact = new Set<string>();
  private readonly near: NearDuplicateFinder;

  constructor(settings: NearDuplicateSettings = DEFAULT_POOL_SIMILARITY) {
    this.near = new NearDuplicateFinder(settings);
  }

  /** 'exact' | 'near' when rejected, 'added' when admitted. */
  admit(text: string): 'added' | 'exact' | 'near' {
    const key = normalizeText(text);
    if (this.exact.has(key)) return 'exact';
    if (this.near.insertIfNew(text) !== null) return 'near';
    this.exact.add(key);
    return 'added';
  }
}
