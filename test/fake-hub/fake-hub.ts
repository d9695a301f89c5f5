import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubRoutes } from './hub-routes.js';
import { HubError, type FakeHubOptions, type FakeHubState, type HubContext, type HubReply, type RecordedRequest } from './hub-state.js';

export type { FakeHubOptions, FakeHubState, RecordedCommit, StoredFile } from './hub-state.js';

/**
 * A local fake of the Hugging Face Hub's upload API, speaking what huggingface_hub (2.4) calls when Xet is
 * off: repo create, branch create, README metadata validation, preupload, the LFS batch API (basic and
 * multipart transfers, verify) and the NDJSON commit. It stores what arrives so tests can check every byte.
 */
export interface FakeHub {
  url: string;
  state: FakeHubState;
  close(): Promise<void>;
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const resolved: Required<FakeHubOptions> = { multipartThresholdBytes: Number.POSITIVE_INFINITY, multipartChunkBytes: 5 * 1024 * 1024, ...options };
  const state: FakeHubState = { repos: new Map(), lfsObjects: new Map(), multipartParts: new Map(), commits: [], requests: [] };
  let baseUrl = '';
  const server = createServer((request, response) => void handle(request, response));
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', baseUrl);
    const record: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, status: 0 };
    state.requests.push(record);
    const context: HubContext = { method: record.method, path: url.pathname, headers: request.headers, body: Buffer.concat(chunks), baseUrl, options: resolved, state, record };
    let reply: HubReply;
    try {
      reply = hubRoutes(context);
    } catch (error) {
      const hubError = error instanceof HubError ? error : new HubError(500, error instanceof Error ? error.message : String(error));
      reply = { status: hubError.status, json: { error: hubError.message }, headers: { 'x-error-message': hubError.message, ...(hubError.code ? { 'x-error-code': hubError.code } : {}) } };
    }
    record.status = reply.status ?? 200;
    const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
    response.writeHead(record.status, { ...(reply.json === undefined ? {} : { 'content-type': 'application/json' }), ...reply.headers });
    response.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    state,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

