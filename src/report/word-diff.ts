export interface DiffPiece {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

const MAX_WORDS = 400;

/**
 * Word-level diff of `after` against `before` (longest common subsequence over whitespace-separated words),
 * adjacent pieces of a kind merged. Very long texts fall back to one removal and one addition.
 */
export function wordDiff(before: string, after: string): DiffPiece[] {
  const left = before.split(/\s+/).filter((word) => word !== '');
  const right = after.split(/\s+/).filter((word) => word !== '');
  if (left.length > MAX_WORDS || right.length > MAX_WORDS) return merge([...left.map((text) => ({ kind: 'removed' as const, text })), ...right.map((text) => ({ kind: 'added' as const, text }))]);
  // lengths[i][j]: LCS length of left[i..] and right[j..].
  const lengths = Array.from({ length: left.length + 1 }, () => new Array<number>(right.length + 1).fill(0));
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      lengths[i]![j] = left[i] === right[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const pieces: DiffPiece[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) {
      pieces.push({ kind: 'same', text: left[i]! });
      i++;
      j++;
    } else if (i < left.length && (j >= right.length || lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) {
      pieces.push({ kind: 'removed', text: left[i++]! });
    } else {
      pieces.push({ kind: 'added', text: right[j++]! });
    }
  }
  return merge(pieces);
}

function merge(pieces: DiffPiece[]): DiffPiece[] {
  const merged: DiffPiece[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && last.kind === piece.kind) last.text += ` ${piece.text}`;
    else merged.push({ ...piece });
  }
  return merged;
}
