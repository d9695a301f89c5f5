import { randomUUID } from 'node:crypto';
import type { HttpClient } from './http-client.js';
import { fileObjectSchema, type FileObject } from './protocol.js';

export type FilePurpose = 'batch' | 'fine-tune';

/**
 * Uploads a JSONL file as multipart/form-data: `POST /files` with `purpose` `batch` or `fine-tune` (OpenAI,
 * Nebius, vLLM), or Together's `POST /files/upload` with `file_name`, `file_type` and purpose `batch-api` or
 * `fine-tune` (its FilePurpose enum has no `batch`).
 */
export async function uploadFile(http: HttpClient, content: string | Uint8Array, filename: string, purpose: FilePurpose): Promise<FileObject> {
  const file = { field: 'file', filename, contentType: 'application/jsonl', content };
  if (http.flavor === 'together') {
    const { body, contentType } = multipartBody({ purpose: purpose === 'batch' ? 'batch-api' : purpose, file_name: filename, file_type: 'jsonl' }, file);
    return (await http.upload('/files/upload', body, contentType, fileObjectSchema)).data;
  }
  const { body, contentType } = multipartBody({ purpose }, file);
  return (await http.upload('/files', body, contentType, fileObjectSchema)).data;
}

/**
 * A multipart/form-data body as bytes. Built here rather than with FormData because Node's global FormData
 * and the undici package's are different classes; bytes travel through either transport.
 */
export function multipartBody(
  fields: Record<string, string>,
  file: { field: string; filename: string; contentType: string; content: string | Uint8Array },
): { body: Uint8Array; contentType: string } {
  const boundary = `----distillery-${randomUUID()}`;
  const quote = (text: string): string => text.replace(/["\r\n]/g, '_');
  const parts: (string | Uint8Array)[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`);
  }
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`);
  parts.push(typeof file.content === 'string' ? file.content : file.content);
  parts.push(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function fileContent(http: HttpClient, fileId: string): Promise<string> {
  return http.text(`/files/${encodeURIComponent(fileId)}/content`);
}

export async function fileBytes(http: HttpClient, fileId: string): Promise<Uint8Array> {
  return http.bytes(`/files/${encodeURIComponent(fileId)}/content`);
}

export async function fileInfo(http: HttpClient, fileId: string): Promise<FileObject> {
  return (await http.json('GET', `/files/${encodeURIComponent(fileId)}`, fileObjectSchema)).data;
}
