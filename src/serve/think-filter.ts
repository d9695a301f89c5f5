const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Drops a leading `<think>…</think>` block from streamed text, piece by piece, so a streamed answer shows what
 * a buffered one does (splitReasoning). `openedByPrefix`: the assistant prefix already opened the block.
 */
export class ThinkFilter {
  private held = '';
  private state: 'start' | 'thinking' | 'after' | 'answer';

  constructor(openedByPrefix = false) {
    this.state = openedByPrefix ? 'thinking' : 'start';
  }

  /** The text to pass on now for this piece. */
  push(piece: string): string {
    if (this.state === 'answer') return piece;
    if (this.state === 'after') {
      const text = piece.trimStart();
      return text === '' ? '' : this.release(text);
    }
    this.held += piece;
    if (this.state === 'start') {
      const trimmed = this.held.trimStart();
      if (trimmed.length < OPEN.length && OPEN.startsWith(trimmed)) return '';
      if (!trimmed.startsWith(OPEN)) return this.release(this.held);
      this.held = trimmed.slice(OPEN.length);
      this.state = 'thinking';
    }
    const close = this.held.indexOf(CLOSE);
    if (close < 0) return '';
    const rest = this.held.slice(close + CLOSE.length).trimStart();
    this.held = '';
    // Whitespace right after the block may arrive in later pieces: keep trimming until text comes.
    if (rest === '') {
      this.state = 'after';
      return '';
    }
    return this.release(rest);
  }

  /** At the end of the stream: text still held that turned out not to be a think block. */
  flush(): string {
    return this.state === 'start' ? this.release(this.held) : '';
  }

  private release(text: string): string {
    this.state = 'answer';
    this.held = '';
    return text;
  }
}
