/** A JSON object (not an array, not null): what a proposal or event payload is checked for before it is read. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
