import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatCore, startChatServer, type ChatOptions } from '../../server/index.js';

function refusal(options: Partial<ChatOptions>): { message: string; code: unknown } {
  try {
    void new ChatCore(options);
  } catch (err) {
    return { message: (err as Error).message, code: (err as { code?: unknown }).code };
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

test('a bad option is refused at construction, naming the option, what was expected and what arrived', () => {
  assert.equal(refusal({ maxLine: 10 }), { message: 'Expected `maxLine` to be an integer >= 16, got `10`', code: 'ERR_CHAT_OPTION' });
  assert.is(refusal({ maxRate: -1 }).message, 'Expected `maxRate` to be an integer >= 0, got `-1`');
  assert.is(refusal({ maxRooms: 1.5 }).message, 'Expected `maxRooms` to be an integer >= 1, got `1.5`');
  assert.is(refusal({ graceMs: Number.NaN }).message, 'Expected `graceMs` to be an integer >= 0, got `NaN`');
  assert.is(refusal({ maxQueue: '4096' as unknown as number }).message, "Expected `maxQueue` to be an integer >= 1, got `'4096'`");
  assert.is(refusal({ quitLinger: 2 ** 31 }).message, 'Expected `quitLinger` to be an integer between 0 and 2147483647, got `2147483648`');
});

test('the bounds themselves are accepted', async () => {
  const core = new ChatCore({ maxLine: 16, maxRate: 0, maxQueue: 1, maxRooms: 1, graceMs: 0, quitLinger: 2 ** 31 - 1 });
  assert.is(core.options.maxLine, 16);
  await core.shutdown(0);
});

test('startChatServer refuses a bad option before it listens', async () => {
  let error: unknown;
  const started = await startChatServer({ port: 0, maxLine: 8 }).catch((err: unknown) => void (error = err));
  await started?.close(0);
  assert.is((error as { code?: unknown } | undefined)?.code, 'ERR_CHAT_OPTION');
});

test.run();
