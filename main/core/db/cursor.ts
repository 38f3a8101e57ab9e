import { ApiError } from '../../../shared/api/errors';

/**
 * Keyset paging: a cursor is the (timestamp, id) of the last row of a page, opaque to
 * clients; the next page is every row ordered after it.
 */
export function encodeCursor(at: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([at instanceof Date ? at.toISOString() : at, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) return [at, id];
  } catch {
    // fall through
  }
  throw new ApiError({ code: 'invalid_input', message: 'That cursor is not one this API returned; start again without it.' });
}
