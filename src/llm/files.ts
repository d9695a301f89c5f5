import type { HttpClient } from './http-client.js';
import { fileObjectSchema, type FileObject } from './protocol.js';

export type FilePurpose = 'batch' | 'fine-tune';

/** `POST /files` as multipart/form-data, the only upload form every provider accepts. */
export async function uploadFile(http: HttpClient, content: string | Uint8Array, filename: string, purpose: FilePurpose): Promise<FileObject> {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([content], { type: 'application/jsonl' }), filename);
  return (await http.form('/files', form, fileObjectSchema)).data;
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
