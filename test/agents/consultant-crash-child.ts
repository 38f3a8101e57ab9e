/**
 * The process the scenario's crash test kills: Keel on the test's data folder, where a draft
 * waits for approval. It approves the draft and lets the drafter send; KEEL_FAULT makes the
 * e-mail adapter kill this process at the named point.
 */
import { decideApproval } from '../../main/core/kernel/operator';
import { openCore } from './consultant-core';

const [dataDir, approvalId] = process.argv.slice(2) as [string, string];
const core = await openCore(dataDir);
await decideApproval(core.kernel, approvalId, { decision: 'approve' });
await core.kernel.idle();
await core.close();
console.log('DONE');
