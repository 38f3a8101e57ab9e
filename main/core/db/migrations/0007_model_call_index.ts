/**
 * Model calls in the ledger (a `step.completed` event whose data has `model`): Settings sums
 * them for usage and canary comparisons, which would otherwise read every ledger event.
 */
export default /* sql */ `
CREATE INDEX kernel_ledger_model_calls ON kernel_ledger (at) WHERE type = 'step.completed' AND data ? 'model';
`;
