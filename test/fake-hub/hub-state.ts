import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';

/** Options of the fake Hub (see fake-hub.ts). */
export interface FakeHubOptions {
  /** Every API call needs `Authorization: Bearer <token>` (storage URLs are presigned, as on S3). */
  token: string;
  /** LFS objects at least this large are offered a multipart upload (default: never). */
  multipartThresholdBytes?: number;
  /** Part size of a multipart upload (default 5 MiB, S3's minimum). */
  multipartChunkBytes?: number;
}

export interface StoredFile {
  content: Buffer;
  /** `lfs` when the commit referenced an uploaded LFS object, `regular` when the bytes came in the commit. */
  kind: 'regular' | 'lfs';
}

export interface RecordedCommit {
  repo: string;
  branch: string;
  summary: string;
  description: string;
  files: { path: string; kind: 'regular' | 'lfs' }[];
  oid: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  /** The `transfers` a LFS batch request offered, the `transfer` the server chose. */
  lfsTransfers?: { offered: string[]; chosen: string };
}

export interface FakeHubRepo {
  private: boolean;
  branches: Map<string, Map<string, StoredFile>>;
}

export interface FakeHubState {
  repos: Map<string, FakeHubRepo>;
  lfsObjects: Map<string, Buffer>;
  multipartParts: Map<string, Map<number, Buffer>>;
  commits: RecordedCommit[];
  requests: RecordedRequest[];
}

/** The Hub's error: a JSON `{error}` body, the message also in `X-Error-Message`, as hf_raise_for_status reads it. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface HubContext {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  baseUrl: string;
  options: Required<FakeHubOptions>;
  state: FakeHubState;
  record: RecordedRequest;
}

export interface HubReply {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Git's blob id, which the Hub returns as a regular file's `oid` (the client skips unchanged files by it). */
export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function newCommitOid(): string {
  return randomBytes(20).toString('hex');
}

/** YAML front matter of a README, as the Hub's metadata check reads it: a mapping, or an error. */
export function frontMatterErrors(content: string): string[] {
  const match = /^---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/.exec(content);
  if (match === null) return [];
  try {
    const value: unknown = parseYaml(match[1]!);
    return value === null || (typeof value === 'object' && !Array.isArray(value)) ? [] : ['"metadata" must be of type object'];
  } catch (error) {
    return [`YAML: ${error instanceof Error ? error.message : String(error)}`];
  }
}
