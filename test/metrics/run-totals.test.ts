import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRunTotals, RunReader } from '../../metrics/index.js';
import { recordingRun } from '../helpers/recording-run.js';
import { tempDir } from '../helpers/temp.js';

const say = (events: ReturnType<typeof recordingRun>['events'], room: string, n: number) => {
  for (let k = 0; k < n; k++) events.emit('message', { room, nick: 'n', text: 't', deliveries: 1, bytesOut: 9 });
};

test('peak MPS: the closing tick of a shutdown, a sliver of a second, sets no peak; its messages count in every sum', () => {
  const tmp = tempDir();
  const { db, store, clock, run, events, agg } = recordingRun(tmp.dir, 'peaks');
  try {
    events.emit('join', { nick: 'n', room: 'dev', members: 1 });
    // Three 1 s ticks of 3, 5 and 4 messages, then 3 messages in the 132 ms before the shutdown.
    for (const n of [3, 5, 4]) {
      say(events, 'dev', n);
      clock.advance(1000);
    }
    say(events, 'dev', 3);
    clock.advance(132);
    agg.close();
    store.finishRun(run.id, 'completed', clock.now());
    const t = readRunTotals(new RunReader(db), run.id);
    assert.is(t.ticks, 4);
    assert.is(t.messages, 15);
    assert.is(t.mpsPeak, 5, 'not 3 / 0.132 = 22.7');
    assert.is(t.mpsMean, Math.round((15 / 3.132) * 1000) / 1000, 'every message over the whole run');
    const dev = t.rooms.find((r) => r.room === 'dev');
    assert.equal([dev?.messages, dev?.mpsPeak], [15, 5]);
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('peak MPS of a run whose ticks are all short (--interval 250ms): the usual tick is the measure, nothing is left out', () => {
  const tmp = tempDir();
  const { db, store, clock, run, events, agg } = recordingRun(tmp.dir, 'fast');
  try {
    events.emit('join', { nick: 'n', room: 'dev', members: 1 });
    for (const n of [1, 4, 2]) {
      say(events, 'dev', n);
      clock.advance(250);
      agg.tick();
    }
    agg.close();
    store.finishRun(run.id, 'completed', clock.now());
    const t = readRunTotals(new RunReader(db), run.id);
    assert.is(t.mpsPeak, 16, '4 messages in 250 ms');
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test.run();
