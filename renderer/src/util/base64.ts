/** Bytes per String.fromCharCode call: far below any engine's argument limit. */
const SPAN = 0x8000;

type WithToBase64 = Uint8Array & { toBase64?: () => string };

/**
 * Base64 of a file piece (up to 4 MB). Uses the native `Uint8Array#toBase64` where the
 * engine has it; otherwise builds the binary string in spans, because spreading 4 MB of
 * bytes into one `fromCharCode` call overflows the stack.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as WithToBase64).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += SPAN) binary += String.fromCharCode(...bytes.subarray(i, i + SPAN));
  return btoa(binary);
}
