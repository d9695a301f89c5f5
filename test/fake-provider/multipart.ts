import { HttpError } from './http.js';

export interface MultipartFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, MultipartFile>;
}

/** Parse a `multipart/form-data` body (RFC 7578): text fields and file parts. */
export function parseMultipart(body: Buffer, contentTypeHeader: string | undefined): MultipartForm {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentTypeHeader ?? '');
  const boundaryText = boundary?.[1] ?? boundary?.[2];
  if (!contentTypeHeader?.toLowerCase().startsWith('multipart/form-data') || boundaryText === undefined) {
    throw new HttpError(400, 'Expected a multipart/form-data body with a boundary.', 'invalid_request_error');
  }
  const delimiter = Buffer.from(`--${boundaryText.trim()}`);
  const form: MultipartForm = { fields: {}, files: {} };
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const partStart = position + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // A part is CRLF, headers, CRLF CRLF, content, CRLF (before the next delimiter).
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) addPart(form, part.subarray(0, headerEnd).toString('utf8'), part.subarray(headerEnd + 4));
    position = next;
  }
  return form;
}

function addPart(form: MultipartForm, headerText: string, content: Buffer): void {
  const disposition = /content-disposition:[^\r\n]*/i.exec(headerText)?.[0] ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) return;
  const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
  if (filename === undefined) {
    form.fields[name] = content.toString('utf8');
    return;
  }
  const contentType = /content-type:\s*([^\r\n]+)/i.exec(headerText)?.[1]?.trim() ?? 'application/octet-stream';
  form.files[name] = { filename, contentType, data: Buffer.from(content) };
}
