import { createEventRecorder } from '../../../functions/controller/events.js';
import type { Logger } from '../../../lib/function.js';
import type { Kube, KubeObject } from '../../../lib/io/kube.js';

/** A Kube whose recordEvent calls stay open until the test settles them, in order. */
function heldEvents() {
  const calls: Array<{ reason: string; settle(error?: Error): void }> = [];
  const kube = {
    recordEvent: (_about: KubeObject, _type: string, reason: string) =>
      new Promise<void>((resolve, reject) => calls.push({ reason, settle: (error) => (error ? reject(error) : resolve()) })),
  } as unknown as Kube;
  return { kube, calls };
}

function recordingLog() {
  const warnings: Array<[object, string]> = [];
  const log: Logger = { debug: () => {}, info: () => {}, warn: (fields, message) => warnings.push([fields, message]), error: () => {} };
  return { log, warnings };
}

const about = (name: string): KubeObject => ({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name, namespace: 'default' } });
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('controller Events, off the reconcile path', () => {
  test('record resolves at once; Events are written one at a time, in order; flushed waits for the last', async () => {
    const { kube, calls } = heldEvents();
    const events = createEventRecorder(kube, recordingLog().log);
    await events.record(about('a'), 'Normal', 'Ready', '', new Date(0));
    await events.record(about('b'), 'Warning', 'NameConflict', 'x', new Date(0));
    await events.record(about('c'), 'Normal', 'Ready', '', new Date(0));
    expect(calls.map((c) => c.reason)).toEqual(['Ready']); // one in flight, like client-go's one writer per sink
    let done = false;
    const flushed = events.flushed().then(() => (done = true));
    calls[0]!.settle();
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['Ready', 'NameConflict']);
    expect(done).toBe(false);
    calls[1]!.settle();
    await turns();
    calls[2]!.settle();
    await flushed;
    expect(calls).toHaveLength(3);
    expect(done).toBe(true);
  });

  test('a failed Event is logged and the next is still written', async () => {
    const { kube, calls } = heldEvents();
    const { log, warnings } = recordingLog();
    const events = createEventRecorder(kube, log);
    await events.record(about('a'), 'Normal', 'Ready', '', new Date(0));
    await events.record(about('b'), 'Normal', 'Ready', '', new Date(0));
    calls[0]!.settle(new Error('Kubernetes API: record an event answered 403'));
    await turns();
    calls[1]!.settle();
    await events.flushed();
    expect(calls).toHaveLength(2);
    expect(warnings).toEqual([[{ reason: 'Kubernetes API: record an event answered 403' }, 'could not record a Kubernetes Event']]);
  });

  test('a full queue makes the caller wait for room, in order; nothing is dropped', async () => {
    const { kube, calls } = heldEvents();
    const events = createEventRecorder(kube, recordingLog().log, { capacity: 2 });
    const taken: string[] = [];
    // One taken by the writer at once, two queued; the fourth and fifth wait for room.
    const records = [0, 1, 2, 3, 4].map((i) => events.record(about(`r${i}`), 'Normal', `R${i}`, '', new Date(0)).then(() => taken.push(`R${i}`)));
    await turns();
    expect(taken).toEqual(['R0', 'R1', 'R2']);
    calls[0]!.settle(); // R1 goes to the writer: room for R3
    await turns();
    expect(taken).toEqual(['R0', 'R1', 'R2', 'R3']);
    const flushed = events.flushed();
    for (let i = 1; i < 5; i++) {
      calls[i]!.settle();
      await turns();
    }
    await Promise.all(records);
    await flushed;
    expect(calls.map((c) => c.reason)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
    expect(taken).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
  });

  test('while held (a reconcile writing), the writer waits; on release it writes, in order, and flushed follows', async () => {
    const { kube, calls } = heldEvents();
    const events = createEventRecorder(kube, recordingLog().log);
    const release = events.hold();
    await events.record(about('a'), 'Normal', 'Ready', '', new Date(0));
    await events.record(about('b'), 'Normal', 'Pending', '', new Date(0));
    let flushed = false;
    const flushing = events.flushed().then(() => (flushed = true));
    await turns();
    expect(calls).toEqual([]);
    release();
    release(); // a second call is a no-op, not a second release
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['Ready']);
    calls[0]!.settle();
    await turns();
    calls[1]!.settle();
    await flushing;
    expect([calls.map((c) => c.reason), flushed]).toEqual([['Ready', 'Pending'], true]);
  });

  test('a held writer still writes once the queue is half full, so a long reconcile cannot fill it and stall', async () => {
    const { kube, calls } = heldEvents();
    const events = createEventRecorder(kube, recordingLog().log, { capacity: 4 });
    const release = events.hold();
    await events.record(about('a'), 'Normal', 'R0', '', new Date(0));
    await turns();
    expect(calls).toEqual([]);
    await events.record(about('b'), 'Normal', 'R1', '', new Date(0)); // 2 of 4: half full
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['R0']);
    calls[0]!.settle(); // back under half: the writer waits again
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['R0']);
    release();
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['R0', 'R1']);
    calls[1]!.settle();
    await events.flushed();
  });

  test('an Event waits for a holding reconcile at most maxDelayMs (virtual clock), so back-to-back reconciles cannot starve it', async () => {
    const { kube, calls } = heldEvents();
    let now = 0;
    const pending: Array<{ at: number; fn: () => void }> = [];
    const timers = { setTimeout: (fn: () => void, ms: number) => pending.push({ at: now + ms, fn }), clearTimeout: () => {} };
    const advance = async (ms: number) => {
      now += ms;
      for (const t of pending.splice(0)) if (t.at <= now) t.fn();
      else pending.push(t);
      await turns();
    };
    const events = createEventRecorder(kube, recordingLog().log, { maxDelayMs: 5000, clock: () => now, timers });
    events.hold(); // never released: reconciles one after another
    await events.record(about('a'), 'Normal', 'R0', '', new Date(0));
    await advance(1000);
    await events.record(about('b'), 'Normal', 'R1', '', new Date(0));
    await advance(3999);
    expect(calls).toEqual([]); // R0 is 4,999 ms old
    await advance(1);
    expect(calls.map((c) => c.reason)).toEqual(['R0']);
    calls[0]!.settle();
    await turns();
    expect(calls.map((c) => c.reason)).toEqual(['R0']); // R1 is 4,000 ms old: it waits its own 1,000 ms more
    await advance(1000);
    expect(calls.map((c) => c.reason)).toEqual(['R0', 'R1']);
  });

  test('flushed with nothing queued resolves', async () => {
    await expect(createEventRecorder(heldEvents().kube, recordingLog().log).flushed()).resolves.toBeUndefined();
  });
});
