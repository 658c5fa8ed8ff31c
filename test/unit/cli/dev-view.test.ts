// dev's live view: the table it draws from the counters, and the redraw in place on a terminal.
import { LiveView, renderView } from '../../../cli/dev/view.js';
import { newCounters, type Counters } from '../../../runtime/counters.js';

function counters(entries: { in?: Record<string, number>; out?: Record<string, number>; failed?: Record<string, number>; redelivered?: Record<string, number> }): Counters {
  return { ...newCounters(), in: new Map(Object.entries(entries.in ?? {})), out: new Map(Object.entries(entries.out ?? {})), failed: new Map(Object.entries(entries.failed ?? {})), redelivered: new Map(Object.entries(entries.redelivered ?? {})) };
}

const flowing = () =>
  counters({
    in: { 'EventSource/default/shop/paid': 10, 'Trigger/default/t': 10 },
    redelivered: { 'Trigger/default/t': 2 },
    out: { 'EventSource/default/shop/paid → bus': 10, 'Trigger/default/t subscriber 0': 7, 'Trigger/default/t subscriber 0 dead letter': 2 },
    failed: { 'Trigger/default/t subscriber 0': 9 },
  });

describe('dev live view', () => {
  test('one row per source event, output, trigger and subscriber, outputs indented under their owner', () => {
    expect(renderView(flowing(), 0).lines).toEqual([
      '                               in  redelivered  delivered  failed  dead letters  /s',
      'EventSource/default/shop/paid  10',
      '  → bus                                                10',
      'Trigger/default/t              10            2',
      '  subscriber 0                                          7       9             2',
    ]);
  });

  test('a line longer than the terminal is cut, never wrapped', () => {
    const { lines } = renderView(flowing(), 0, undefined, 40);
    expect(lines.every((l) => l.length <= 39)).toBe(true);
    expect(lines[0]).toBe(`${'                               in  redelivered'.slice(0, 38)}…`);
  });

  test('rates are per second since the previous frame', () => {
    const c = flowing();
    const { frame } = renderView(c, 1_000);
    c.in.set('EventSource/default/shop/paid', 30);
    c.out.set('Trigger/default/t subscriber 0', 8);
    const { lines } = renderView(c, 3_000, frame);
    expect(lines.map((l) => l.split(/\s+/).at(-1))).toEqual(['/s', '10', '0', '0', '1']);
  });

  test('each redraw moves up over the lines drawn before and clears them; lines printed meanwhile go above', () => {
    const writes: string[] = [];
    const printed: string[] = [];
    const c = flowing();
    let now = 0;
    const view = new LiveView({ write: (t) => writes.push(t) }, c, () => now);
    view.redraw();
    expect(writes[0]!.startsWith('\x1b[')).toBe(false);
    expect(writes[0]!.split('\n')).toHaveLength(6); // five lines and the final newline

    view.above(() => printed.push('☁  an event'));
    // erased, printed, then the same five lines again
    expect(writes.slice(1)).toEqual(['\x1b[5F\x1b[J', `${writes[0]}`]);
    expect(printed).toEqual(['☁  an event']);

    now = 1_000;
    c.in.set('Trigger/default/t', 11);
    view.redraw();
    expect(writes.at(-1)!.startsWith('\x1b[5F\x1b[J')).toBe(true);
    expect(writes.at(-1)).toContain('Trigger/default/t              11');

    view.close();
    expect(writes.at(-1)).toBe('\x1b[5F\x1b[J');
  });
});
