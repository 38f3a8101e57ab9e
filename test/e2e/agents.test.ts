import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { TestSmtpServer } from '../support/smtp-server';
import { everythingShown } from '../support/browser';
import { tempDir } from '../support/temp';

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
/** Ingesting the notes, then triage → extractor → drafter on a 2-core machine: give it room. */
const AGENTS_TIMEOUT = 90_000;

const SMTP_USER = 'keel';
const SMTP_PASSWORD = 'correct horse battery staple 7';
const API_KEY = 'sk-test-3f9a1c77e2b04d5e';

let browser: Browser;
let server: ServerProcess;
let smtp: TestSmtpServer;
let llm: OpenAiServer;
let page: Page;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
const settingsTab = (label: string) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: label }).click();


beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  smtp = await new TestSmtpServer({ users: { [SMTP_USER]: SMTP_PASSWORD } }).start();
  llm = await startOpenAiServer({ requireKey: API_KEY });
  server = await startServerProcess(dataDir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto(server.url);
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
  await llm?.close();
});

describe('agents, e-mail and models in real Chromium against the headless server', () => {
  test('the consultant example: e-mail set up, draft in a formal tone, changes requested, the revision approved and sent once', async () => {
    // Settings → E-mail: a wrong password is refused with the server's own reason, the right one logs in.
    await nav('Settings');
    await settingsTab('E-mail');
    const form = page.getByRole('form', { name: 'SMTP settings' });
    await form.waitFor();
    await form.getByLabel('Server').fill('127.0.0.1');
    await form.getByLabel('Security').selectOption({ label: 'STARTTLS (usually port 587)' });
    await form.getByLabel('Port').fill(String(smtp.port));
    await form.getByLabel('User name').fill(SMTP_USER);
    await form.getByLabel('Password').fill('not the password');
    await form.getByLabel('From address').fill('alex@consultancy.example');
    await form.getByLabel('From name').fill('Alex Morgan');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const check = page.getByTestId('email-check');
    await check.and(page.locator('[data-code="auth_failed"]')).waitFor();
    expect(await check.textContent()).toContain('The server refused the user name or password');
    await form.getByLabel('Password').fill(SMTP_PASSWORD);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await check.getByText('Connected and logged in').waitFor();
    expect(smtp.messages).toHaveLength(0);
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('email-notice').getByText('E-mail settings saved').waitFor();
    await page.getByTestId('smtp-password-stored').waitFor();
    expect(await form.getByLabel('Password').inputValue()).toBe('');
    expect(await everythingShown(page)).not.toContain(SMTP_PASSWORD);
    await page.getByTestId('uncertain-none').waitFor();
    await shot('20-email-settings');

    // Agents: the built-in workforce, and the example in one click.
    await nav('Agents');
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    await page.locator('[data-testid="agent-row"][data-name="drafter"]').waitFor();
    await page.getByRole('button', { name: 'Run the consultant example' }).click();
    const status = page.getByTestId('example-status');
    await status.getByText('meeting notes were ingested').waitFor();
    expect(await status.textContent()).toContain('will appear in the Inbox');
    await shot('21-agents-example');
    await status.getByRole('link', { name: 'Inbox' }).click();
    expect(page.url()).toContain('#/inbox');

    // The draft, in the tone remembered for Dana.
    const first = page.locator('[data-testid="approval"][data-kind="draft"]');
    await first.waitFor({ timeout: AGENTS_TIMEOUT });
    expect(await first.getByTestId('draft-to').textContent()).toBe('dana@northwind.example');
    expect(await first.getByTestId('draft-tone').textContent()).toBe('formal');
    expect(await first.getByTestId('draft-paragraph').first().textContent()).toBe('Dear Dana Whitfield,');
    await shot('22-draft');

    // Request changes: the revision comes back as paragraph changes, each with its reason.
    await first.getByRole('button', { name: 'Request changes…' }).click();
    await first.getByLabel('What should change?').fill('make it friendlier');
    await first.getByRole('button', { name: 'Send request' }).click();
    const revised = page.locator('[data-testid="approval"][data-kind="draft"]').filter({ hasText: 'Revised draft' });
    await revised.waitFor({ timeout: AGENTS_TIMEOUT });
    expect(await page.locator('[data-testid="approval"][data-kind="draft"]').count()).toBe(1);
    const greeting = revised.locator('[data-testid="change"][data-index="0"]');
    expect(await greeting.getByTestId('change-before').textContent()).toBe('Dear Dana Whitfield,');
    expect(await greeting.getByTestId('change-after').textContent()).toBe('Hi Dana,');
    expect(await greeting.getByTestId('change-reason').textContent()).toMatch(/friendl/i);
    expect(await greeting.locator('del').first().textContent()).toBe('Dear');
    expect(await greeting.locator('ins').first().textContent()).toBe('Hi');
    expect(await revised.getByTestId('draft-paragraph').first().textContent()).toBe('Hi Dana,');
    const subject = (await revised.getByTestId('draft-subject').textContent())!;
    const text = (await revised.getByTestId('draft-paragraph').allTextContents()).join('\n\n');
    await shot('23-revised-draft');

    // Approve: it is sent, once.
    await revised.getByRole('button', { name: 'Approve and send' }).click();
    await revised.waitFor({ state: 'detached' });
    const [mail] = await smtp.waitForMessages(1, AGENTS_TIMEOUT);
    expect(mail).toMatchObject({ to: ['dana@northwind.example'], from: 'alex@consultancy.example', subject, user: SMTP_USER });
    expect(mail!.text!.trim()).toBe(text);
    expect(mail!.text).toContain('Hi Dana,');

    // The timeline: the send, and every model call with its model, tokens and (zero) cost.
    await nav('Timeline');
    await page.locator('[data-testid="ledger-event"][data-type="effect.sent"]').first().waitFor({ timeout: AGENTS_TIMEOUT });
    // The timeline renders only the rows in view: narrow it to the model calls (finished steps naming the builtin provider).
    await page.getByLabel('Event type').selectOption('step.completed');
    await page.getByRole('searchbox', { name: 'Search the timeline' }).fill('builtin');
    const calls = page.getByTestId('model-call');
    for (const task of ['triage.classify', 'extract.notes', 'draft.follow_up', 'draft.revise']) await calls.filter({ hasText: task }).first().waitFor();
    for (const call of await calls.all()) {
      expect(await call.textContent()).toContain('builtin/builtin');
      expect(await call.getByTestId('model-cost').textContent()).toBe('$0');
    }
    await shot('24-timeline-model-calls');
    expect(smtp.messages).toHaveLength(1);
  });

  test('Settings → Models: an OpenAI-compatible provider with a key that is never shown, tested, then the strong tier', async () => {
    await nav('Settings');
    await settingsTab('Models');
    const builtin = page.locator('[data-testid="provider"][data-id="builtin"]');
    await builtin.waitFor();
    expect(await builtin.textContent()).toContain('cannot be changed');

    await page.getByRole('button', { name: 'Add a provider…' }).click();
    const form = page.getByRole('form', { name: 'Add a provider' });
    await form.getByLabel('Name', { exact: true }).fill('Test LLM');
    expect(await form.getByLabel('Id', { exact: true }).inputValue()).toBe('test-llm');
    await form.getByRole('button', { name: /Ollama/ }).click();
    expect(await form.getByLabel('Base URL').inputValue()).toBe('http://127.0.0.1:11434/v1');
    await form.getByLabel('Base URL').fill(llm.url);
    await form.getByLabel('API key').fill(API_KEY);
    await form.getByRole('button', { name: 'Save provider' }).click();
    await form.waitFor({ state: 'detached' });

    const row = page.locator('[data-testid="provider"][data-id="test-llm"]');
    await row.getByTestId('provider-key').getByText('a key is stored').waitFor();
    expect(await everythingShown(page)).not.toContain(API_KEY);
    // Editing shows that a key is stored, never the key.
    await row.getByRole('button', { name: 'Edit Test LLM' }).click();
    const edit = page.getByRole('form', { name: 'Edit Test LLM' });
    await edit.getByTestId('key-state').getByText('A key is stored.').waitFor();
    expect(await everythingShown(page)).not.toContain(API_KEY);
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await shot('25-models-provider');

    // Test: a one-line prompt through the endpoint (which refuses requests without the key).
    await row.getByLabel('Model to test on Test LLM').fill('test-model');
    await row.getByRole('button', { name: 'Test Test LLM' }).click();
    await row.getByTestId('provider-test').getByText(/Answered “echo: Reply with the single word: ready” in/).waitFor();
    expect(llm.completionBodies().at(-1)?.model).toBe('test-model');

    // The strong tier now uses it.
    const strong = page.getByTestId('tier-strong');
    await strong.getByLabel('Provider').first().selectOption({ label: 'Test LLM' });
    await strong.getByLabel('Model').first().fill('test-model');
    await strong.getByRole('button', { name: 'Use for the strong tier' }).click();
    await strong.getByTestId('tier-model').getByText('test-model on Test LLM').waitFor();
    expect(await page.getByTestId('tier-fast').getByTestId('tier-model').textContent()).toBe('Built-in rules (no model)');
    await page.getByTestId('models-notice').getByText('The strong tier now uses test-model on test-llm.').waitFor();
    await shot('26-models-tiers');
  });

  test('an agent page: instructions saved as versions and reverted; approvals and budget changed', async () => {
    await nav('Agents');
    await page.getByRole('link', { name: 'drafter', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /drafter/ }).waitFor();
    expect(page.url()).toContain('#/agents/drafter');
    const instructions = page.getByRole('textbox', { name: 'Instructions', exact: true });
    const original = await instructions.inputValue();
    expect(original.length).toBeGreaterThan(20);
    await instructions.fill(`${original} Sign with the operator's first name only.`);
    await page.getByPlaceholder('What changed and why').fill('shorter sign-off');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    const versions = page.getByTestId('agent-version');
    await expect.poll(() => versions.count()).toBe(2);
    expect(await versions.first().textContent()).toContain('shorter sign-off');
    await page.getByRole('button', { name: 'Revert to version 1' }).click();
    await expect.poll(() => versions.count()).toBe(3);
    await expect.poll(() => instructions.inputValue()).toBe(original);

    const settings = page.getByRole('form', { name: 'Agent settings' });
    await settings.getByLabel('Add to approvals').fill('files.write');
    await settings.getByRole('group', { name: 'Approvals' }).getByRole('button', { name: 'Add' }).click();
    await settings.getByLabel('Budget').selectOption('day');
    await settings.getByLabel('Most US dollars').fill('2.50');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('drafter: settings saved.').waitFor();
    await shot('27-agent-page');

    await page.getByRole('link', { name: '← All agents' }).click();
    const row = page.locator('[data-testid="agent-row"][data-name="drafter"]');
    await row.getByText('$2.50 a day').waitFor();
    expect(await row.textContent()).toContain('files.write');
  });

  test('no errors or Content Security Policy violations were reported', () => {
    expect(consoleErrors).toEqual([]);
  });
});
