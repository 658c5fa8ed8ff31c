// dev's live view on a terminal: one table, redrawn in place every second, of what flowed per EventSource event,
// Trigger and subscriber (events in, delivered, failed attempts, dead letters, rate over the last frame). Lines
// printed meanwhile (the event display, warnings) appear above it. Off a terminal dev prints no view, only its
// closing summary (cli/dev/command.ts).
import type { Counters } from '../../runtime/counters.js';

export interface Frame {
  /** Totals per key at this frame, to compute the next frame's rates. */
  totals: Map<string, number>;
  at: number;
}

const DEAD = ' dead letter';

/**
 * The view's lines for the counters now; `previous` gives rates (events per second since that frame). `width`: the
 * terminal's columns; a longer line is cut (with …), never wrapped, since a wrapped line breaks the redraw in place.
 */
export function renderView(c: Counters, now: number, previous?: Frame, width?: number): { lines: string[]; frame: Frame } {
  const keys = [...new Set([...c.in.keys(), ...c.out.keys(), ...c.failed.keys()])].filter((k) => !k.endsWith(DEAD)).sort();
  const totals = new Map<string, number>();
  const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : undefined;
  const rows = [['', 'in', 'redelivered', 'delivered', 'failed', 'dead letters', '/s']];
  for (const key of keys) {
    const [taken, again, delivered, failed, dead] = [c.in.get(key) ?? 0, c.redelivered.get(key) ?? 0, c.out.get(key) ?? 0, c.failed.get(key) ?? 0, c.out.get(key + DEAD) ?? 0];
    const total = taken + delivered;
    totals.set(key, total);
    const rate = seconds === undefined ? '' : ((total - (previous!.totals.get(key) ?? 0)) / seconds).toFixed(0);
    // A subscriber or output row is indented under its EventSource event or Trigger.
    const label = / (subscriber \d+|→ .+)$/.test(key) ? `  ${key.replace(/^.* ((subscriber \d+)|(→ .+))$/, '$1')}` : key;
    rows.push([label, taken ? String(taken) : '', again ? String(again) : '', delivered ? String(delivered) : '', failed ? String(failed) : '', dead ? String(dead) : '', rate]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => fit(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd(), width));
  return { lines, frame: { totals, at: now } };
}

/** A line cut to a terminal's width (one column spare: writing the last column makes some terminals wrap). */
function fit(line: string, width: number | undefined): string {
  if (width === undefined || width < 2 || line.length < width) return line;
  return `${line.slice(0, width - 2)}…`;
}

export interface Terminal {
  write(text: string): void;
  /** Its width, when known (a TTY's columns, read at every redraw: the window may be resized). */
  columns?: number;
}

/** Redraws the view in place on `terminal`; `above` prints a line above it. */
export class LiveView {
  private drawn = 0;
  private lines: string[] = [];
  private frame: Frame | undefined;

  constructor(private readonly terminal: Terminal, private readonly counters: Counters, private readonly now: () => number) {}

  /** Replaces the drawn view with the current one. */
  redraw(): void {
    const { lines, frame } = renderView(this.counters, this.now(), this.frame, this.terminal.columns);
    this.frame = frame;
    this.lines = lines;
    this.draw();
  }

  /** Prints `print`'s output above the view: the view is erased first and redrawn after. */
  above(print: () => void): void {
    if (this.drawn > 0) this.terminal.write(this.erase());
    this.drawn = 0;
    print();
    this.draw();
  }

  /** Erases the view for good (the closing summary follows). */
  close(): void {
    this.terminal.write(this.erase());
    this.drawn = 0;
  }

  private draw(): void {
    if (this.lines.length === 0) return;
    this.terminal.write(`${this.erase()}${this.lines.join('\n')}\n`);
    this.drawn = this.lines.length;
  }

  /** Cursor up over the drawn lines, then clear to the end of the screen (ANSI CSI F and CSI J). */
  private erase(): string {
    return this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
  }
}
