/**
 * Postings blobs are read on every keyword search: stored out of line but uncompressed, so a
 * query pays no decompression (they are packed integers, pglz gains little on them anyway).
 */
export default /* sql */ `
ALTER TABLE memory_postings ALTER COLUMN postings SET STORAGE EXTERNAL;
`;
