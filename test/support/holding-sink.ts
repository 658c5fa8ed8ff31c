// An HTTP sink that answers only when the test says: how many requests a source has open at once, measured without
// a clock. `answer()` answers every open request; `most` is the largest number that were open together.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingSink {
  url: string;
  /** Bodies in arrival order. */
  bodies: string[];
  /** Requests open now. */
  open(): number;
  /** The most requests open at once so far. */
  most(): number;
  /** Answers every open request with 200; returns how many. */
  answer(): number;
  close(): Promise<void>;
}

export async function startHoldingSink(): Promise<HoldingSink> {
  const bodies: string[] = [];
  const waiting: Array<() => void> = [];
  let most = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      waiting.push(() => res.writeHead(200).end());
      most = Math.max(most, waiting.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const answer = () => {
    const open = waiting.splice(0);
    open.forEach((respond) => respond());
    return open.length;
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    open: () => waiting.length,
    most: () => most,
    answer,
    close: async () => {
      answer();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
