/**
 * Scores plain text files the way the official scripts take them (one sentence a line, references one
 * file each), for `distillery score`. The only I/O in the metrics: it reads the files, checks that their
 * line counts agree and returns one JSON-able object.
 */
import { readFile } from 'node:fs/promises';
import { DataError, errorMessage } from '../../../errors.js';
import { type BleuOptions, corpusBleu } from './bleu.js';
import { type ChrfOptions, corpusChrf } from './chrf.js';
import { type ExactMatchOptions, exactMatch } from './exact-match.js';
import { type GleuOptions, corpusGleu } from './gleu.js';
import { tokenizeLikeJfleg } from './jfleg-tokenization.js';
import { MetricInputError } from './metric-input-error.js';
import { splitFileLines } from './text-lines.js';

export type FileMetric = 'gleu' | 'bleu' | 'chrf' | 'exact';

export interface ScoreFilesRequest {
  metric: FileMetric;
  /** Source sentences; required by GLEU, ignored by the others. */
  sources?: string;
  references: readonly string[];
  hypothesis: string;
  /** 'jfleg' runs natural-text hypotheses through tokenizeLikeJfleg first (for JFLEG-tokenized references). */
  hypothesisTokenization?: 'none' | 'jfleg';
  gleu?: GleuOptions;
  bleu?: BleuOptions;
  chrf?: ChrfOptions;
  exact?: ExactMatchOptions;
}

export interface ScoreFilesResult {
  metric: FileMetric;
  score: number;
  lines: number;
  files: { sources?: string; references: string[]; hypothesis: string };
  [detail: string]: unknown;
}

export async function scoreFiles(request: ScoreFilesRequest): Promise<ScoreFilesResult> {
  if (request.references.length === 0) throw new MetricInputError('scoring needs at least one reference file');
  if (request.metric === 'gleu' && request.sources === undefined) throw new MetricInputError('GLEU needs the source file');
  const sourcesPath = request.metric === 'gleu' ? request.sources : undefined;
  const paths = [request.hypothesis, ...request.references, ...(sourcesPath === undefined ? [] : [sourcesPath])];
  const [rawHypotheses, ...rest] = await Promise.all(paths.map(readLines));
  const references = rest.slice(0, request.references.length);
  const sources = sourcesPath === undefined ? undefined : rest[request.references.length]!;
  checkLineCounts(paths, [rawHypotheses!, ...rest]);

  const hypotheses = request.hypothesisTokenization === 'jfleg' ? rawHypotheses!.map(tokenizeLikeJfleg) : rawHypotheses!;
  const base = {
    lines: hypotheses.length,
    files: { ...(sourcesPath === undefined ? {} : { sources: sourcesPath }), references: [...request.references], hypothesis: request.hypothesis },
  };
  switch (request.metric) {
    case 'gleu': {
      const { mean, ...details } = corpusGleu(sources!, references, hypotheses, request.gleu);
      return { metric: 'gleu', score: mean, ...details, ...base };
    }
    case 'bleu':
      return { ...corpusBleu(hypotheses, references, request.bleu), ...base };
    case 'chrf':
      return { ...corpusChrf(hypotheses, references, request.chrf), ...base };
    case 'exact': {
      const { perItem: _perItem, ...summary } = exactMatch(hypotheses, references, request.exact);
      return { ...summary, ...base };
    }
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    return splitFileLines(await readFile(path, 'utf8'));
  } catch (error) {
    throw new DataError(`cannot read: ${errorMessage(error)}`, path);
  }
}

function checkLineCounts(paths: readonly string[], contents: readonly string[][]): void {
  const counts = contents.map((lines) => lines.length);
  if (counts.every((count) => count === counts[0])) return;
  const listing = paths.map((path, index) => `${path}: ${counts[index]} lines`).join(', ');
  throw new MetricInputError(`line counts differ (${listing})`);
}
