import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callNames } from '../../shared/api/contract';
import { ApiErrorBody } from '../../shared/api/errors';
import { startHarness, type Harness } from '../support/in-process-server';
import { TestSocket } from '../support/ws-client';

let h: Harness;
let socket: TestSocket;
beforeAll(async () => {
  h = await startHarness();
  socket = await TestSocket.open(`${h.wsUrl}?token=${h.token}`);
});
afterAll(async () => {
  socket.close();
  await h.close();
});

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
const HUGE = 'x'.repeat(5 * 1024 * 1024);

/** Inputs that are wrong for every call in the contract. */
const badInputs: [string, unknown][] = [
  ['a number', 42],
  ['a string', 'hello'],
  ['an array', [1, 2, 3]],
  ['null fields', { echo: null }],
  ['wrong field type', { echo: 12345 }],
  ['unknown field', { definitelyNotAField: true }],
  ['huge string field', { echo: HUGE }],
  ['deeply nested object', deepObject(2_000)],
  ['prototype pollution attempt', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}')],
];

async function assertAlive(): Promise<void> {
  const ping = await socket.call('system.ping', { echo: 'still here' });
  expect(ping).toMatchObject({ ok: true, output: { echo: 'still here' } });
}

describe('fuzzing every call through the real WebSocket server', () => {
  for (const method of callNames) {
    for (const [label, input] of badInputs) {
      test(`${method} with ${label} → typed invalid_input`, async () => {
        const answer = await socket.call(method, input);
        expect(answer.type).toBe('result');
        if (answer.type !== 'result' || answer.ok) throw new Error(`expected an error, got ${JSON.stringify(answer).slice(0, 200)}`);
        expect(ApiErrorBody.safeParse(answer.error).success).toBe(true);
        expect(answer.error.code).toBe('invalid_input');
        // Errors never echo a huge input back.
        expect(JSON.stringify(answer).length).toBeLessThan(10_000);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    }
  }

  test('unknown calls, including huge and odd names → unknown_method', async () => {
    for (const method of ['system.nope', 'nope', '', '__proto__', 'constructor', 'toString', HUGE, 17, null, { a: 1 }]) {
      const answer = await socket.call(method, {});
      expect(answer).toMatchObject({ type: 'result', ok: false, error: { code: 'unknown_method' } });
      expect(JSON.stringify(answer).length).toBeLessThan(10_000);
    }
  });

  test('frames that are not calls → bad_message, and the socket stays open', async () => {
    const frames: [string | Buffer, string | number | null, boolean?][] = [
      ['not json at all', null],
      ['{"type":"call","id":1', null],
      [deep(200_000), null],
      ['{"type":"call"}', null],
      ['{"type":"nope","id":7,"method":"system.ping"}', 7],
      ['{"type":"call","id":{"x":1},"method":"system.ping"}', null],
      [JSON.stringify({ type: 'call', id: 'x'.repeat(100), method: 'system.ping' }), null],
      ['null', null],
      ['[]', null],
      ['"call"', null],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01]), null, true],
      ['\u0000\u0001', null],
    ];
    for (const [frame, id, binary] of frames) {
      const answer = await socket.sendRaw(frame, id, binary);
      expect(answer).toMatchObject({ type: 'result', id, ok: false, error: { code: 'bad_message' } });
    }
    await assertAlive();
  });

  test('a frame over the size limit closes only that socket; the server lives on', async () => {
    const victim = await TestSocket.open(`${h.wsUrl}?token=${h.token}`);
    const closed = new Promise<number>((resolve) => victim.ws.once('close', (code) => resolve(code)));
    victim.ws.send('x'.repeat(17 * 1024 * 1024));
    expect(await closed).toBe(1009);
    await assertAlive();
  });

  test('a burst of 500 mixed valid and invalid calls is answered one for one', async () => {
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 ? socket.call('system.ping', { echo: String(i) }) : socket.call('system.ping', { echo: i }))),
    );
    answers.forEach((answer, i) => {
      if (i % 2) expect(answer).toMatchObject({ ok: true, output: { echo: String(i) } });
      else expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    });
    await assertAlive();
  });
});
