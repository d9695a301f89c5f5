import { findOr404, HttpError, sendBytes, sendJson, type RequestContext } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { parseMultipart, type MultipartFile } from './multipart.js';
import type { Route } from './types.js';

/** OpenAI's file object. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
}

export interface StoredFile {
  object: FileObject;
  content: Buffer;
}

/** Purposes a client may upload with (OpenAI's list); output purposes are set by the server only. */
const uploadPurposes = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);
/** Together's `FilePurpose` enum (docs.together.ai "Upload a file"). */
const togetherPurposes = new Set(['fine-tune', 'eval', 'eval-sample', 'eval-output', 'eval-summary', 'batch-generated', 'batch-api']);

/** The multipart form of an upload, with its purpose checked against `allowed` and its file part required. */
function uploadForm(ctx: RequestContext, allowed: ReadonlySet<string>): { purpose: string; fields: Record<string, string>; file: MultipartFile } {
  const form = parseMultipart(ctx.rawBody, ctx.req.headers['content-type']);
  const purpose = form.fields.purpose;
  if (purpose === undefined || purpose === '') {
    throw new HttpError(400, "Missing required parameter: 'purpose'.", 'invalid_request_error', 'missing_required_parameter', 'purpose');
  }
  if (!allowed.has(purpose)) {
    throw new HttpError(400, `'${purpose}' is not one of ${[...allowed].map((p) => `'${p}'`).join(', ')} - 'purpose'`, 'invalid_request_error', null, 'purpose');
  }
  const file = form.files.file;
  if (file === undefined) {
    throw new HttpError(400, "Missing required parameter: 'file'.", 'invalid_request_error', 'missing_required_parameter', 'file');
  }
  return { purpose, fields: form.fields, file };
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  create(filename: string, purpose: string, content: Buffer): FileObject {
    const object: FileObject = {
      id: makeId('file-'),
      object: 'file',
      bytes: content.length,
      created_at: unixSeconds(),
      filename,
      purpose,
      // No `status_details`: deprecated, and typed string (never null) in OpenAI's document.
      status: 'processed',
    };
    this.files.set(object.id, { object, content });
    return object;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  /** The file, or a 404 like the API's. */
  require(id: string): StoredFile {
    return findOr404(this.files, id, 'file');
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  list(): FileObject[] {
    return [...this.files.values()].map((file) => file.object);
  }
}

export function fileRoutes(files: FileStore): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/files$/,
      handle(ctx) {
        const { purpose, file } = uploadForm(ctx, uploadPurposes);
        sendJson(ctx, 200, files.create(file.filename, purpose, file.data));
      },
    },
    {
      // Together's upload: `file_name` names the file; the answer adds `Processed`, `FileType`, `LineCount`.
      method: 'POST',
      pattern: /^\/v1\/files\/upload$/,
      handle(ctx) {
        const { purpose, fields, file } = uploadForm(ctx, togetherPurposes);
        if (fields.file_name === undefined || fields.file_name === '') {
          throw new HttpError(400, "Missing required parameter: 'file_name'.", 'invalid_request_error', 'missing_required_parameter', 'file_name');
        }
        const object = files.create(fields.file_name, purpose, file.data);
        const lineCount = file.data.toString('utf8').split('\n').filter((line) => line.trim() !== '').length;
        sendJson(ctx, 200, { id: object.id, object: 'file', created_at: object.created_at, filename: object.filename, bytes: object.bytes, purpose, Processed: true, FileType: fields.file_type ?? 'jsonl', LineCount: lineCount });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/files$/,
      handle(ctx) {
        const purpose = ctx.query.get('purpose');
        const data = files.list().filter((file) => purpose === null || file.purpose === purpose);
        sendJson(ctx, 200, { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/files\/([^/]+)$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, files.require(id).object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/files\/([^/]+)\/content$/,
      handle(ctx, [id = '']) {
        sendBytes(ctx, 200, files.require(id).content, 'application/octet-stream');
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/files\/([^/]+)$/,
      handle(ctx, [id = '']) {
        files.require(id);
        files.delete(id);
        sendJson(ctx, 200, { id, object: 'file', deleted: true });
      },
    },
  ];
}
