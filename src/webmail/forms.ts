import type { FastifyRequest } from 'fastify';

/** A file sent with a multipart form (an attachment, a spreadsheet), read into memory within the upload limit. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

interface MultipartPart {
  type: 'field' | 'file';
  fieldname: string;
  value?: unknown;
  filename?: string;
  mimetype?: string;
  _buf?: Buffer;
}

const isPart = (v: unknown): v is MultipartPart => typeof v === 'object' && v !== null && 'fieldname' in v && 'type' in v;

/**
 * One reader for both kinds of form a browser sends: application/x-www-form-urlencoded
 * (@fastify/formbody) and multipart/form-data (@fastify/multipart with its fields
 * attached to the body). Text comes back NFC-normalized (RFC 5198), so Vietnamese typed
 * on any keyboard compares and stores the same way.
 */
export class Form {
  constructor(private readonly body: Record<string, unknown>) {}

  private values(name: string): unknown[] {
    const v = this.body[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  /** every text value of a field (checkboxes named alike, a multi-select) */
  texts(name: string): string[] {
    return this.values(name)
      .map((v) => (isPart(v) ? (v.type === 'field' ? v.value : undefined) : v))
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.normalize('NFC'));
  }

  /** a field's text, '' when absent */
  text(name: string): string {
    return this.texts(name)[0] ?? '';
  }

  /** a checkbox: sent (with any value) or not */
  checked(name: string): boolean {
    return this.values(name).length > 0;
  }

  /** the files of a file input, without the empty part a browser sends when none was chosen */
  files(name: string): UploadedFile[] {
    return this.values(name)
      .filter(isPart)
      .filter((p) => p.type === 'file' && p.filename && p._buf && p._buf.length > 0)
      .map((p) => ({ field: name, filename: p.filename!.normalize('NFC'), contentType: p.mimetype || 'application/octet-stream', content: p._buf! }));
  }
}

export function readForm(req: FastifyRequest): Form {
  const body = req.body;
  return new Form(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});
}
