/** One request of a batch input file. */
export interface InputLine {
  custom_id: string;
  body: unknown;
}

/** An entry of a failed batch's `errors.data`. */
export interface BatchInputError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** Parse and check the input file; the errors list is what a failed batch reports. */
export function parseBatchInput(content: string, endpoint: string): { lines: InputLine[]; errors: BatchInputError[] } {
  const lines: InputLine[] = [];
  const errors: BatchInputError[] = [];
  const seen = new Set<string>();
  content.split('\n').forEach((text, index) => {
    if (text.trim() === '') return;
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line });
      return;
    }
    const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof record.custom_id !== 'string') {
      errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line });
    } else if (seen.has(record.custom_id)) {
      errors.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate of another request.', param: 'custom_id', line });
    } else if (record.method !== 'POST') {
      errors.push({ code: 'invalid_request', message: "The 'method' of this line must be 'POST'.", param: 'method', line });
    } else if (record.url !== endpoint) {
      errors.push({ code: 'mismatched_endpoint', message: `The 'url' of this line does not match the batch endpoint '${endpoint}'.`, param: 'url', line });
    } else {
      seen.add(record.custom_id);
      lines.push({ custom_id: record.custom_id, body: record.body });
    }
  });
  if (lines.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The input file is empty.', param: null, line: null });
  return { lines, errors };
}
