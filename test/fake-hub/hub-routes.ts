import { createHash } from 'node:crypto';
import { z } from 'zod';
import { frontMatterErrors, gitBlobSha1, HubError, newCommitOid, sha256Hex, type FakeHubRepo, type HubContext, type HubReply, type RecordedCommit, type StoredFile } from './hub-state.js';

/** The namespace a repo id without one lands in (the token's user on the real Hub). */
export const FAKE_USER = 'fake-user';

// Patterns of the `.gitattributes` the Hub puts in a new model repo: these files are LFS whatever their size.
const LFS_PATTERNS = [/\.(7z|arrow|bin|bz2|ckpt|ftz|gz|h5|joblib|lfs|mlmodel|model|msgpack|npy|npz|onnx|ot|parquet|pb|pickle|pkl|pt|pth|rar|safetensors|tar|tflite|tgz|wasm|xz|zip|zst)$/, /\.tar\./, /tfevents/];
const LFS_MIN_BYTES = 10 * 1024 * 1024;

const createRepoBody = z.object({ name: z.string().min(1), organization: z.string().nullable().optional(), visibility: z.enum(['public', 'private']).optional(), type: z.literal('model').optional() });
const preuploadBody = z.object({ files: z.array(z.object({ path: z.string(), sample: z.string(), size: z.number().int().nonnegative() })), gitIgnore: z.string().optional() });
const batchBody = z.object({ operation: z.literal('upload'), transfers: z.array(z.string()), objects: z.array(z.object({ oid: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })), hash_algo: z.literal('sha256'), ref: z.object({ name: z.string() }).optional() });
const verifyBody = z.object({ oid: z.string(), size: z.number().int() });
const completionBody = z.object({ oid: z.string(), parts: z.array(z.object({ partNumber: z.number().int().positive(), etag: z.string() })) });
const commitLine = z.discriminatedUnion('key', [
  z.object({ key: z.literal('header'), value: z.object({ summary: z.string(), description: z.string(), parentCommit: z.string().optional() }) }),
  z.object({ key: z.literal('file'), value: z.object({ path: z.string(), content: z.string(), encoding: z.literal('base64') }) }),
  z.object({ key: z.literal('lfsFile'), value: z.object({ path: z.string(), algo: z.literal('sha256'), oid: z.string(), size: z.number().int() }) }),
  z.object({ key: z.literal('deletedFile'), value: z.object({ path: z.string() }) }),
]);

/** Routes one request; throws HubError for the Hub's error answers. */
export function hubRoutes(context: HubContext): HubReply {
  const { method, path } = context;
  let match: RegExpExecArray | null;
  if ((match = /^\/storage\/([0-9a-f]{64})(?:\/part\/(\d+)|\/(complete))?$/.exec(path))) return storage(context, match[1]!, match[2] === undefined ? undefined : Number(match[2]), match[3] !== undefined);
  // huggingface_hub's best-effort fetch of the agent registry it names in its user agent (no token sent).
  if (method === 'GET' && path === '/api/agent-harnesses') return { json: { standardEnvVars: [], harnesses: {} } };
  requireToken(context);
  if (method === 'POST' && path === '/api/repos/create') return createRepo(context);
  if (method === 'POST' && path === '/api/validate-yaml') {
    const errors = frontMatterErrors(z.object({ content: z.string() }).parse(json(context)).content);
    if (errors.length > 0) return { status: 400, json: { errors: errors.map((message) => ({ message })), warnings: [] } };
    return { json: { errors: [], warnings: [] } };
  }
  if ((match = /^\/api\/models\/(.+)\/(preupload|commit|branch|revision)\/([^/]+)$/.exec(path))) {
    const repoId = fullRepoId(match[1]!);
    const repo = repoOr404(context, repoId);
    const revision = decodeURIComponent(match[3]!);
    if (method === 'POST' && match[2] === 'branch') {
      if (repo.branches.has(revision)) throw new HubError(409, 'Reference already exists');
      repo.branches.set(revision, new Map(repo.branches.get('main')));
      return { json: {} };
    }
    const files = repo.branches.get(revision);
    if (files === undefined) throw new HubError(404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    if (method === 'POST' && match[2] === 'preupload') return preupload(context, files);
    if (method === 'POST' && match[2] === 'commit') return commit(context, repoId, revision, files);
    if (method === 'GET' && match[2] === 'revision') return { json: { id: repoId, private: repo.private, sha: context.state.commits.filter((entry) => entry.repo === repoId && entry.branch === revision).at(-1)?.oid ?? '0'.repeat(40), siblings: [...files.keys()].map((rfilename) => ({ rfilename })) } };
  }
  if ((match = /^\/(.+)\.git\/info\/lfs\/objects\/(batch|verify)$/.exec(path)) && method === 'POST') {
    repoOr404(context, fullRepoId(match[1]!));
    return match[2] === 'batch' ? lfsBatch(context) : lfsVerify(context);
  }
  throw new HubError(404, `the fake Hub has no route for ${method} ${path}`);
}

function requireToken(context: HubContext): void {
  if (context.headers.authorization !== `Bearer ${context.options.token}`) throw new HubError(401, 'Invalid credentials in Authorization header');
}

function json(context: HubContext): unknown {
  try {
    return JSON.parse(context.body.toString('utf8'));
  } catch {
    throw new HubError(400, 'the body is not JSON');
  }
}

function parsed<T>(schema: z.ZodType<T>, context: HubContext): T {
  const result = schema.safeParse(json(context));
  if (!result.success) throw new HubError(400, `invalid body: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return result.data;
}

function fullRepoId(id: string): string {
  return id.includes('/') ? id : `${FAKE_USER}/${id}`;
}

function repoOr404(context: HubContext, repoId: string): FakeHubRepo {
  const repo = context.state.repos.get(repoId);
  if (repo === undefined) throw new HubError(404, 'Repository not found', 'RepoNotFound');
  return repo;
}

function createRepo(context: HubContext): HubReply {
  const body = parsed(createRepoBody, context);
  const repoId = `${body.organization ?? FAKE_USER}/${body.name}`;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repoId)) throw new HubError(400, `invalid repo name ${repoId}`);
  const url = `${context.baseUrl}/${repoId}`;
  if (context.state.repos.has(repoId)) return { status: 409, json: { error: 'You already created this model repo', url }, headers: { 'x-error-message': 'You already created this model repo' } };
  context.state.repos.set(repoId, { private: body.visibility === 'private', branches: new Map([['main', new Map()]]) });
  return { json: { url, name: repoId, id: repoId } };
}

function preupload(context: HubContext, files: Map<string, StoredFile>): HubReply {
  const body = parsed(preuploadBody, context);
  return {
    json: {
      files: body.files.map((file) => {
        const sample = Buffer.from(file.sample, 'base64');
        const lfs = LFS_PATTERNS.some((pattern) => pattern.test(file.path)) || file.size >= LFS_MIN_BYTES || sample.includes(0);
        const existing = files.get(file.path);
        const oid = existing === undefined ? undefined : existing.kind === 'lfs' ? sha256Hex(existing.content) : gitBlobSha1(existing.content);
        return { path: file.path, uploadMode: lfs ? 'lfs' : 'regular', shouldIgnore: false, ...(oid === undefined ? {} : { oid }) };
      }),
    },
  };
}

function lfsBatch(context: HubContext): HubReply {
  const body = parsed(batchBody, context);
  const { multipartThresholdBytes, multipartChunkBytes } = context.options;
  const multipart = body.transfers.includes('multipart') && body.objects.some((object) => object.size >= multipartThresholdBytes);
  const chosen = multipart ? 'multipart' : 'basic';
  context.record.lfsTransfers = { offered: body.transfers, chosen };
  const repoPath = context.path.replace(/\/objects\/batch$/, '');
  return {
    headers: { 'content-type': 'application/vnd.git-lfs+json' },
    json: {
      transfer: chosen,
      objects: body.objects.map((object) => {
        if (context.state.lfsObjects.has(object.oid)) return { oid: object.oid, size: object.size };
        const verify = { href: `${context.baseUrl}${repoPath}/objects/verify` };
        if (multipart && object.size >= multipartThresholdBytes) {
          const parts = Math.ceil(object.size / multipartChunkBytes);
          const header: Record<string, string> = { chunk_size: String(multipartChunkBytes) };
          for (let part = 1; part <= parts; part += 1) header[String(part).padStart(5, '0')] = `${context.baseUrl}/storage/${object.oid}/part/${part}`;
          return { oid: object.oid, size: object.size, authenticated: true, actions: { upload: { href: `${context.baseUrl}/storage/${object.oid}/complete`, header }, verify } };
        }
        return { oid: object.oid, size: object.size, authenticated: true, actions: { upload: { href: `${context.baseUrl}/storage/${object.oid}` }, verify } };
      }),
    },
  };
}

function lfsVerify(context: HubContext): HubReply {
  const body = parsed(verifyBody, context);
  const stored = context.state.lfsObjects.get(body.oid);
  if (stored === undefined || stored.length !== body.size) throw new HubError(404, `LFS object ${body.oid} (${body.size} bytes) was not uploaded`);
  return { json: { success: true } };
}

/** Presigned storage URLs (S3 on the real Hub): the whole object, one part, or the multipart completion. */
function storage(context: HubContext, oid: string, part: number | undefined, complete: boolean): HubReply {
  const { state } = context;
  if (context.method === 'PUT' && part !== undefined) {
    const parts = state.multipartParts.get(oid) ?? new Map<number, Buffer>();
    parts.set(part, context.body);
    state.multipartParts.set(oid, parts);
    return { headers: { etag: `"${createHash('md5').update(context.body).digest('hex')}"` } };
  }
  if (context.method === 'POST' && complete) {
    const body = parsed(completionBody, context);
    const parts = state.multipartParts.get(oid) ?? new Map<number, Buffer>();
    const ordered = body.parts.map((entry) => {
      const content = parts.get(entry.partNumber);
      if (content === undefined || `"${createHash('md5').update(content).digest('hex')}"` !== entry.etag) throw new HubError(400, `part ${entry.partNumber} of ${oid} is missing or its etag differs`);
      return content;
    });
    return storeObject(context, oid, Buffer.concat(ordered));
  }
  if (context.method === 'PUT' && part === undefined && !complete) return storeObject(context, oid, context.body);
  throw new HubError(405, `${context.method} is not allowed on a storage URL`);
}

function storeObject(context: HubContext, oid: string, content: Buffer): HubReply {
  if (sha256Hex(content) !== oid) throw new HubError(400, `the uploaded content's sha256 is not ${oid}`);
  context.state.lfsObjects.set(oid, content);
  context.state.multipartParts.delete(oid);
  return {};
}

function commit(context: HubContext, repoId: string, branch: string, files: Map<string, StoredFile>): HubReply {
  if (!String(context.headers['content-type'] ?? '').startsWith('application/x-ndjson')) throw new HubError(400, 'a commit is sent as application/x-ndjson');
  const lines = context.body.toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const operations = lines.map((line, index) => {
    const result = commitLine.safeParse(JSON.parse(line));
    if (!result.success) throw new HubError(400, `commit line ${index + 1}: ${result.error.issues[0]?.message ?? 'invalid'}`);
    return result.data;
  });
  const header = operations[0];
  if (header?.key !== 'header') throw new HubError(400, 'the first line of a commit is its header');
  const next = new Map(files);
  const recorded: RecordedCommit['files'] = [];
  for (const operation of operations.slice(1)) {
    if (operation.key === 'file') {
      next.set(operation.value.path, { content: Buffer.from(operation.value.content, 'base64'), kind: 'regular' });
      recorded.push({ path: operation.value.path, kind: 'regular' });
    } else if (operation.key === 'lfsFile') {
      const object = context.state.lfsObjects.get(operation.value.oid);
      if (object === undefined || object.length !== operation.value.size) throw new HubError(400, `Your push was rejected because an LFS pointer pointed to a file that does not exist (${operation.value.path})`);
      next.set(operation.value.path, { content: object, kind: 'lfs' });
      recorded.push({ path: operation.value.path, kind: 'lfs' });
    } else if (operation.key === 'deletedFile') {
      next.delete(operation.value.path);
    }
  }
  context.state.repos.get(repoId)!.branches.set(branch, next);
  const oid = newCommitOid();
  context.state.commits.push({ repo: repoId, branch, summary: header.value.summary, description: header.value.description, files: recorded, oid });
  return { json: { success: true, commitOid: oid, commitUrl: `${context.baseUrl}/${repoId}/commit/${oid}`, hookOutput: '' } };
}
