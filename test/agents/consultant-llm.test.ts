import { afterEach, describe, expect, it } from 'vitest';
import type { ModelCallRecord } from '../../shared/domain/models';
import type { Assembled } from '../../main/core/host/assemble';
import { CONTENT_RULE } from '../../main/core/agents/model-call';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { until } from '../support/memory-core';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { TestSmtpServer } from '../support/smtp-server';
import { tempDir } from '../support/temp';
import { openCore, pendingDraft, runStatus, smtpAccount, SMTP_PASSWORD, SMTP_USER } from './consultant-support';
import { scriptedLlm, taskOf } from './scripted-llm';

const KEY = 'sk-test-keel-0123456789';
const PRICES = { 'small-model': { inputPerMTok: 0.1, outputPerMTok: 0.4 }, 'big-model': { inputPerMTok: 3, outputPerMTok: 15 }, 'big-model-2': { inputPerMTok: 1, outputPerMTok: 5 } } as const;

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

/** Keel with an OpenAI-compatible provider on the test server: small-model on the fast tier, big-model on the strong one, priced. */
async function withLlm(options: { badModels?: string[] } = {}): Promise<{ c: Assembled; llm: OpenAiServer }> {
  const llm = await startOpenAiServer({ requireKey: KEY, reply: scriptedLlm(options) });
  open.push(llm);
  const c = await openCore(tempDir());
  open.push(c);
  await c.models.saveProvider({ id: 'local-llm', kind: 'openai-compatible', label: 'Test LLM', baseUrl: llm.url, hasKey: false, structuredOutput: 'auto', timeoutMs: 10_000 }, KEY);
  await c.models.setTier('fast', { provider: 'local-llm', model: 'small-model' });
  await c.models.setTier('strong', { provider: 'local-llm', model: 'big-model' });
  for (const [model, price] of Object.entries(PRICES)) await c.models.setPrice({ provider: 'local-llm', model, ...price });
  return { c, llm };
}

async function modelCalls(c: Assembled, runIds?: string[]): Promise<(ModelCallRecord & { run_id: string; ledgerCost: number; ledgerTokens: number })[]> {
  const { rows } = await c.kernel.db.query<{ run_id: string; data: { model: ModelCallRecord }; cost_usd: number; tokens: number }>(
    `SELECT run_id, data, cost_usd, tokens FROM kernel_ledger WHERE type = 'step.completed' AND data ? 'model' AND ($1::text[] IS NULL OR run_id = ANY($1)) ORDER BY seq`,
    [runIds ?? null],
  );
  return rows.map((r) => ({ ...r.data.model, run_id: r.run_id, ledgerCost: r.cost_usd, ledgerTokens: r.tokens }));
}

const priced = (r: ModelCallRecord) => {
  const p = PRICES[r.model as keyof typeof PRICES];
  return (r.inputTokens * p.inputPerMTok + r.outputTokens * p.outputPerMTok) / 1e6;
};

describe('the consultant scenario with an OpenAI-compatible model server', () => {
  it('the cheap model triages and extracts, the strong one drafts and revises; tokens, prices and cost are in the ledger; approve sends it', async () => {
    const smtp = await new TestSmtpServer({ users: { [SMTP_USER]: SMTP_PASSWORD } }).start();
    open.push({ close: () => smtp.stop() });
    const { c, llm } = await withLlm();
    await c.email.save(smtpAccount(smtp.port));
    await c.agents.runExample();

    const first = await pendingDraft(c);
    expect(first.proposal.paragraphs[0]).toBe('Dear Dana Whitfield,');
    expect(first.proposal.paragraphs.join('\n')).toContain('[written by the model]');
    expect(first.proposal.paragraphs.join('\n'), JSON.stringify(first.proposal.paragraphs)).toContain('Dana will send the final logo files by Friday');

    await decideApproval(c.kernel, first.id, { decision: 'edit', editedProposal: { request: 'make it friendlier' } });
    const second = await pendingDraft(c, [first.id]);
    expect(second.proposal.changes).toEqual([{ index: 0, kind: 'changed', before: 'Dear Dana Whitfield,', after: 'Hi Dana,', reason: 'a friendlier greeting, as asked' }]);
    await decideApproval(c.kernel, second.id, { decision: 'approve' });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.text).toContain('Hi Dana,');

    const calls = await modelCalls(c);
    expect(calls.map((r) => [r.task, r.model])).toEqual([
      ['triage.classify', 'small-model'],
      ['extract.notes', 'small-model'],
      ['draft.follow_up', 'big-model'],
      ['draft.revise', 'big-model'],
    ]);
    for (const r of calls) {
      expect(r.inputTokens).toBeGreaterThan(0);
      expect(r.costUsd).toBeCloseTo(priced(r), 12);
      // The step's ledger event carries the same money and tokens the budgets count.
      expect(r.ledgerCost).toBeCloseTo(r.costUsd, 12);
      expect(r.ledgerTokens).toBe(r.inputTokens + r.outputTokens);
      expect(r.promptHash).toMatch(/^[0-9a-f]{16}$/);
    }
    const usage = await c.models.usage(null);
    expect(usage.costUsd).toBeCloseTo(calls.reduce((s, r) => s + r.costUsd, 0), 12);
    expect(usage.byAgent.find((a) => a.agent === 'drafter')!.calls).toBe(2);

    // Every request carried the key and the content rule; the notes went in as fenced data; the key is nowhere in the ledger.
    const bodies = llm.completionBodies();
    expect(bodies.map(taskOf)).toEqual(['triage_classify', 'extract_notes', 'draft_follow_up', 'draft_revise']);
    expect(llm.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(bodies.every((b) => String(b.messages![0]!.content).includes(CONTENT_RULE))).toBe(true);
    expect(String(bodies[1]!.messages![1]!.content)).toMatch(/<<<CONTENT title="Meeting notes: Northwind Studio website relaunch"\n/);
    const leaked = await c.kernel.db.query(`SELECT 1 FROM kernel_ledger WHERE data::text LIKE $1`, [`%${KEY}%`]);
    expect(leaked.rows).toHaveLength(0);
  });

  it('a cheap model that answers with invalid JSON is repaired once, then the strong tier answers instead', async () => {
    const { c } = await withLlm({ badModels: ['small-model'] });
    const { id } = await startRun(c.kernel, { workflow: 'agent.triage', input: { item: { title: 'Meeting notes: Northwind', text: '## Action items\n- Send the logo files' } } });
    await until('triage finished', async () => (await runStatus(c, id)) === 'succeeded');
    const calls = await modelCalls(c, [id]);
    expect(calls).toMatchObject([
      { task: 'triage.classify', model: 'small-model', tier: 'fast', repaired: true, valid: false, escalatedFrom: null },
      { task: 'triage.classify', model: 'big-model', tier: 'strong', repaired: false, valid: true, escalatedFrom: 'local-llm/small-model' },
    ]);
    const run = await c.kernel.db.query<{ output: { intent: string } }>('SELECT output FROM kernel_runs WHERE id = $1', [id]);
    expect(run.rows[0]!.output.intent).toBe('meeting_notes');
  });

  it('when both tiers answer badly, the run stops with a validation failure the operator sees', async () => {
    const { c } = await withLlm({ badModels: ['small-model', 'big-model'] });
    const { id } = await startRun(c.kernel, { workflow: 'agent.triage', input: { item: { title: 'x', text: 'y' } } });
    await until('triage paused', async () => (await runStatus(c, id)) === 'paused');
    const esc = await c.kernel.db.query<{ reason: { kind: string; message: string } }>(`SELECT reason FROM kernel_escalations WHERE run_id = $1`, [id]);
    expect(esc.rows[0]!.reason).toMatchObject({ kind: 'validation', message: expect.stringContaining('does not match its schema') });
  });

  it('a staged canary gets about its share of runs, and the comparison equals the ledger sums', async () => {
    const { c } = await withLlm();
    await c.models.stageCanary('fast', { provider: 'local-llm', model: 'big-model-2' }, 0.25);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await startRun(c.kernel, { workflow: 'agent.summarizer', input: { title: `Thread ${i}`, text: `Message ${i}. The client asked for a quote. We will reply tomorrow.` } })).id);
    await until('all summaries done', async () => (await c.kernel.db.query(`SELECT 1 FROM kernel_runs WHERE id = ANY($1) AND status = 'succeeded'`, [ids])).rows.length === ids.length);

    const calls = await modelCalls(c, ids);
    const canary = calls.filter((r) => r.arm === 'canary');
    expect(canary.every((r) => r.model === 'big-model-2')).toBe(true);
    expect(canary.length).toBeGreaterThanOrEqual(3); // 40 runs at 25%: 10 expected, 3..20 is beyond 2.5 standard deviations
    expect(canary.length).toBeLessThanOrEqual(20);

    const cmp = await c.models.compare('fast');
    for (const [arm, figures] of [['main', cmp.main], ['canary', cmp.canary!]] as const) {
      const mine = calls.filter((r) => r.arm === arm);
      expect(figures.calls).toBe(mine.length);
      expect(figures.runs).toBe(new Set(mine.map((r) => r.run_id)).size);
      expect(figures.costUsd).toBeCloseTo(mine.reduce((s, r) => s + r.ledgerCost, 0), 12);
      expect(figures.meanLatencyMs).toBeCloseTo(mine.reduce((s, r) => s + r.latencyMs, 0) / mine.length, 6);
      expect(figures.validationFailures).toBe(0);
    }
    expect(cmp.share).toBe(0.25);

    await c.models.promoteCanary('fast');
    expect((await c.models.tier('fast')).model.model).toBe('big-model-2');
  });

  it('counts approvals and edit requests per arm of a drafting canary', async () => {
    const { c } = await withLlm();
    const client = await c.memory.entities.upsert({ type: 'client', name: 'Acme', attributes: { contact: { value: 'Ann Lee', type: 'text' } } });
    await c.models.stageCanary('strong', { provider: 'local-llm', model: 'big-model-2' }, 0.5);
    const extraction = { actionItems: [{ text: 'send the plan', owner: null, due: null }], decisions: ['Go ahead.'], facts: [] };
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await startRun(c.kernel, { workflow: 'agent.drafter', input: { entityId: client.id, extraction } })).id);
    const decided = new Map<string, string>();
    for (let i = 0; i < ids.length; i++) {
      const a = await pendingDraft(c, [...decided.keys()]);
      const decision = i % 3 === 0 ? 'edit' : 'approve';
      await decideApproval(c.kernel, a.id, decision === 'edit' ? { decision: 'edit', editedProposal: { request: 'friendlier' } } : { decision: 'approve' });
      decided.set(a.id, `${a.run_id}:${decision}`);
    }
    // The revisions asked for wait too: reject them.
    for (let n = 0; n < 4; n++) {
      const a = await pendingDraft(c, [...decided.keys()]);
      await decideApproval(c.kernel, a.id, { decision: 'reject', note: 'not now' });
      decided.set(a.id, `${a.run_id}:reject`);
    }
    await until('all drafters ended', async () => (await c.kernel.db.query(`SELECT 1 FROM kernel_runs WHERE id = ANY($1) AND status = 'succeeded'`, [ids])).rows.length === ids.length);

    const calls = await modelCalls(c, ids);
    const armOf = new Map(calls.map((r) => [r.run_id, r.arm]));
    const cmp = await c.models.compare('strong');
    for (const [arm, figures] of [['main', cmp.main], ['canary', cmp.canary!]] as const) {
      const outcomes = [...decided.values()].filter((v) => armOf.get(v.split(':')[0]!) === arm).map((v) => v.split(':')[1]);
      expect(figures.approvals).toBe(outcomes.length);
      expect(figures.approved).toBe(outcomes.filter((o) => o === 'approve').length);
      expect(figures.editsRequested).toBe(outcomes.filter((o) => o === 'edit').length);
      expect(figures.costUsd).toBeCloseTo(calls.filter((r) => r.arm === arm).reduce((s, r) => s + r.ledgerCost, 0), 12);
    }
  });

  it('charges the price table\'s cost to the agent, and its cap pauses the agent before it spends more', async () => {
    const { c, llm } = await withLlm();
    const client = await c.memory.entities.upsert({ type: 'client', name: 'Acme', attributes: { contact: { value: 'Ann Lee', type: 'text' } } });
    const extraction = { actionItems: [], decisions: ['Go ahead.'], facts: [] };
    const { id } = await startRun(c.kernel, { workflow: 'agent.drafter', input: { entityId: client.id, extraction } });
    const draft = await pendingDraft(c);
    const [first] = await modelCalls(c, [id]);
    const spent = (await c.kernel.db.query<{ usd: number }>(`SELECT sum(cost_usd) AS usd FROM kernel_ledger WHERE agent = 'drafter'`)).rows[0]!.usd;
    expect(spent).toBeCloseTo(priced(first!), 12);

    // A daily cap just above what was spent: the revision's estimate does not fit.
    await c.agents.registry.update({ name: 'drafter', budget: { period: 'day', maxUsd: spent + 0.001, maxTokens: null } });
    const before = llm.completionBodies().length;
    await decideApproval(c.kernel, draft.id, { decision: 'edit', editedProposal: { request: 'friendlier' } });
    await until('the drafter paused', async () => (await runStatus(c, id)) === 'paused');
    const esc = await c.kernel.db.query<{ kind: string; reason: { message: string } }>(`SELECT kind, reason FROM kernel_escalations WHERE run_id = $1`, [id]);
    expect(esc.rows[0]).toMatchObject({ kind: 'budget', reason: { message: expect.stringContaining('daily budget of agent "drafter"') } });
    expect(llm.completionBodies().length).toBe(before);
  });
});
