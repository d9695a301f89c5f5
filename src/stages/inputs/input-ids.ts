import { DigestSet } from './digest-set.js';
import { textDigest } from './text-digest.js';

/**
 * Catches duplicate row ids in bounded memory. A row without an id gets its line number, unique by
 * construction, so while no row has had an id of its own such ids are kept only as runs of consecutive lines
 * (a 185M-line corpus without ids costs a few numbers); from the first explicit id on every id goes into a
 * digest set, and an explicit id that is a line number inside an earlier run collides with that row.
 */
export class InputIds {
  private readonly digests: DigestSet;
  private explicitSeen = false;
  /** Line runs [start, end] (flattened) that took line-number ids before the first explicit id. */
  private readonly implicitRuns: number[] = [];

  constructor(spillPath: string, memoryEntries?: number) {
    this.digests = new DigestSet({ spillPath, memoryEntries });
  }

  /** Records the id; returns the line that had it first when it is a duplicate. */
  claim(id: string, line: number, explicit: boolean): number | undefined {
    if (!this.explicitSeen) {
      if (!explicit) {
        this.addImplicit(line);
        return undefined;
      }
      this.explicitSeen = true;
    }
    if (explicit && /^[1-9]\d*$/.test(id) && this.inImplicitRun(Number(id))) return Number(id);
    const [high, low] = textDigest(id);
    return this.digests.add(high, low, line);
  }

  close(): void {
    this.digests.close();
  }

  private addImplicit(line: number): void {
    const runs = this.implicitRuns;
    if (runs.length > 0 && runs[runs.length - 1] === line - 1) runs[runs.length - 1] = line;
    else runs.push(line, line);
  }

  private inImplicitRun(line: number): boolean {
    const runs = this.implicitRuns;
    let low = 0;
    let high = runs.length / 2 - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (line < runs[2 * middle]!) high = middle - 1;
      else if (line > runs[2 * middle + 1]!) low = middle + 1;
      else return true;
    }
    return false;
  }
}
