import { jest } from '@jest/globals';
import { cronSource, MAX_WAITING_TICKS, realScheduler } from '../../../lib/local/cron.js';

afterEach(() => jest.useRealTimers());

describe('cron - schedules on an injected clock', () => {
  test('@every 5s ticks at start + n·5s, without drift', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const ticks: string[] = [];
    const stop = realScheduler('@every 5s', (at) => ticks.push(at.toISOString()));
    jest.advanceTimersByTime(15_000);
    stop();
    jest.advanceTimersByTime(10_000);
    expect(ticks).toEqual(['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:15.000Z']);
  });

  test('a 6-field cron expression (seconds first, as Dapr) and a macro', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    let every10s = 0;
    let hourly = 0;
    const stops = [realScheduler('*/10 * * * * *', () => every10s++), realScheduler('@hourly', () => hourly++)];
    jest.advanceTimersByTime(3_600_000 + 1);
    stops.forEach((s) => s());
    expect(every10s).toBe(360);
    expect(hourly).toBe(1);
  });

  test('a bad @every is refused', () => {
    expect(() => realScheduler('@every soon', () => {})).toThrow('bad schedule "@every soon"');
  });

  test('ticks that outrun delivery wait up to a bound; the rest are skipped and counted', async () => {
    let fire!: (at: Date) => void;
    const notices: string[] = [];
    const source = cronSource({ schedule: '@every 1s', eventSource: 'es', event: 'e', scheduler: (_s, tick) => ((fire = tick), () => {}), notice: (n) => notices.push(n) });
    let open!: () => void;
    const blocked = new Promise<void>((r) => (open = r));
    const taken: string[] = [];
    await source.start(async (_payload, metadata) => {
      await blocked; // a bus that does not answer
      taken.push(metadata.tick!);
    });
    for (let i = 0; i < 40; i++) fire(new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    open();
    while (notices.length < 2) await new Promise((r) => setImmediate(r));
    await source.stop();
    expect(taken).toHaveLength(MAX_WAITING_TICKS);
    expect(notices).toEqual(['cron es/e: ticks outrun delivery; skipping ticks until it catches up', `cron es/e: caught up; ${40 - MAX_WAITING_TICKS} ticks were skipped`]);
  });

  test('a failed tick is retried until taken, keeping its id', async () => {
    let fire!: (at: Date) => void;
    const source = cronSource({ schedule: '@every 1s', eventSource: 'es', event: 'e', scheduler: (_s, tick) => ((fire = tick), () => {}) });
    const ids: string[] = [];
    let failures = 2;
    await source.start(async (_payload, metadata) => {
      ids.push(metadata.tick!);
      if (failures-- > 0) throw new Error('not now');
    });
    fire(new Date('2026-01-01T00:00:01Z'));
    while (ids.length < 3) await new Promise((r) => setTimeout(r, 10));
    await source.stop();
    expect(ids).toEqual(Array(3).fill('es-e-2026-01-01T00:00:01.000Z'));
  });
});
