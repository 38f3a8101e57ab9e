/**
 * App manifests kept as written (json, not jsonb): jsonb reorders an object's keys, and the
 * order a manifest gives is the operator's order (an entity's fields are the columns of its
 * records table, a record's data keeps the order its template gives). Manifests installed
 * before this keep the order jsonb left them in.
 */
export default /* sql */ `
ALTER TABLE apps ALTER COLUMN manifest TYPE json USING manifest::json;
ALTER TABLE app_versions ALTER COLUMN manifest TYPE json USING manifest::json;
`;
