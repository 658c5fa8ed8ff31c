// JSON logs (pino), with the level from the resource's `logLevel` as upstream used klog verbosity: "1" info,
// "2" per-event debug logs, "3" and above trace. Unknown values fall back to info.
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../function.js';

export function levelOf(logLevel: string | undefined): 'info' | 'debug' | 'trace' {
  const n = Number(logLevel ?? '1');
  return n >= 3 ? 'trace' : n === 2 ? 'debug' : 'info';
}

export function createLogger(name: string, logLevel: string | undefined, destination?: NodeJS.WritableStream): Logger & { pino: Pino } {
  const log = pino({ name, level: levelOf(logLevel), base: { function: name }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? process.stdout);
  return {
    pino: log,
    debugEnabled: log.isLevelEnabled('debug'),
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
