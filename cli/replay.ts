// `ofn-events replay`: re-delivers a Trigger's dead letters from its dead-letter topic to where they failed to go —
// the sink or topic each names in its ofnerrordest extension — keeping every ce-id, so a consumer that saw the
// event before recognises it. --dry-run shows what would be sent and leaves the dead letters where they are.
import { identityOf, type Event } from '../lib/cloudevents.js';
import { namespaceOf, validateSet, type Trigger } from '../lib/api/index.js';
import { planTriggerHandler } from '../lib/config/plan-trigger.js';
import { parseDuration } from '../lib/duration.js';
import { httpSink, type Verdict } from '../lib/local/index.js';
import { EXTENSIONS } from '../functions/trigger-handler/deliver.js';
import { connectNamedBus } from './bus-of.js';
import { loadDocuments } from './load.js';
import { UsageError, type Cli } from './output.js';

export const replayHelp = `Usage: ofn-events replay -f <files> --trigger <name> --from <dead-letter topic> [-n <ns>] [--bus <url>]
                         [--sink <name or uri>=<url>] [--dry-run] [--idle <duration>]

Reads the dead letters a Trigger published to its deadLetterTopic (--from) and delivers each again to the sink or
topic its ofnerrordest names, without the ofnerror* extensions and with its ce-id unchanged; each one delivered is
acknowledged, so a second replay finds nothing. Stops when no dead letter has come for --idle (default 2s).
--dry-run prints what would be sent, browsing the topic without consuming it (JetStream buses). --sink maps a sink ref by name, or a
sink uri, to a URL reachable from here (as dev's). Exit 1 when any dead letter could not be delivered.

Example: ofn-events replay -f orders.yaml --trigger orders --from orders-dead-letters --dry-run`;

/** The consumer group replays read with: each dead letter it acknowledges is replayed for good. */
const GROUP = 'ofn-events-replay';

export interface ReplayOptions {
  files: string[];
  trigger: string;
  from: string;
  namespace?: string;
  bus?: string;
  sinks: string[];
  dryRun: boolean;
  idle?: string;
}

export async function replay(options: ReplayOptions, cli: Cli): Promise<number> {
  const idleMs = options.idle === undefined ? 2000 : parseDuration(options.idle);
  if (idleMs === undefined) throw new UsageError(`--idle: expected a duration such as 2s, got "${options.idle}"`);
  const namespace = options.namespace ?? 'default';
  const resources = validateSet(loadDocuments(options.files), options.namespace).resources.map((r) => r.resource);
  const trigger = resources.find((r): r is Trigger => r.kind === 'Trigger' && r.metadata.name === options.trigger && namespaceOf(r, namespace) === namespace);
  if (!trigger) throw new UsageError(`no Trigger "${options.trigger}" in namespace "${namespace}" in the files (-f)`);
  const mapped = new Map(options.sinks.map((s) => s.split(/=(.*)/s) as [string, string]));
  const { outputs } = planTriggerHandler(trigger, namespace);
  const sinks = new Map(outputs.sinks.map((s) => [s.output, s.sink]));
  const topics = new Map(outputs.topics.map((t) => [t.output, t.topic]));

  const bus = await connectNamedBus(resources, namespace, trigger.spec.eventBus, options.bus, (w) => cli.err(`warning: ${w}`));
  const clients = new Map<string, ReturnType<typeof httpSink>>();
  const seen = new Set<string>();
  let lastNew = Date.now();
  let [replayed, failed] = [0, 0];

  /** One dead letter: where it goes, and the event as it was first delivered. */
  const handle = async (letter: Event): Promise<Verdict> => {
    const id = identityOf(letter);
    const first = !seen.has(id);
    if (first) {
      seen.add(id);
      lastNew = Date.now();
    }
    const { [EXTENSIONS.errorDest]: dest, [EXTENSIONS.errorCode]: _code, [EXTENSIONS.errorData]: _data, ...event } = letter as Event & Record<string, unknown>;
    const targets = String(dest ?? '').split(',').filter(Boolean);
    if (targets.length === 0) {
      if (first) cli.err(`skipped ${letter.id}: no ${EXTENSIONS.errorDest} extension: not a dead letter of this Trigger`);
      return 'retry';
    }
    if (options.dryRun) {
      if (first) cli.out(`would replay ${letter.id} → ${targets.map((t) => describeTarget(t)).join(', ')}`);
      return 'retry';
    }
    try {
      for (const target of targets) await deliver(target, event as Event);
      replayed++;
      cli.out(`replayed ${letter.id} → ${targets.map((t) => describeTarget(t)).join(', ')}`);
      return 'ack';
    } catch (e) {
      if (first) failed++;
      cli.err(`error: ${letter.id}: ${(e as Error).message}`);
      return 'retry';
    }
  };

  const describeTarget = (output: string) => (topics.has(output) ? `topic ${topics.get(output)}` : sinks.has(output) ? `sink ${sinkUrl(output) ?? sinks.get(output)!.ref?.name}` : output);
  const sinkUrl = (output: string): string | undefined => {
    const sink = sinks.get(output)!;
    return (sink.uri ? (mapped.get(sink.uri) ?? sink.uri) : undefined) ?? (sink.ref ? mapped.get(sink.ref.name) : undefined);
  };
  async function deliver(output: string, event: Event): Promise<void> {
    const topic = topics.get(output);
    if (topic) return bus.publish(topic, event);
    if (!sinks.has(output)) throw new Error(`output ${output} is not one of Trigger ${options.trigger}'s`);
    const url = sinkUrl(output);
    if (!url) throw new Error(`sink ref ${sinks.get(output)!.ref?.name} needs a cluster to resolve: map it with --sink ${sinks.get(output)!.ref?.name}=<url>`);
    const client = clients.get(url) ?? clients.set(url, httpSink(url)).get(url)!;
    await client.send(event);
  }

  try {
    if (options.dryRun) {
      if (!bus.browse) throw new UsageError(`--dry-run needs a bus that keeps messages to browse (JetStream); this one is ${bus.kind}`);
      await bus.browse(options.from, GROUP, (letter) => void handle(letter), idleMs);
    } else {
      const subscription = await bus.subscribe(options.from, GROUP, handle);
      try {
        while (Date.now() - lastNew < idleMs) await new Promise((r) => setTimeout(r, Math.min(100, idleMs)));
      } finally {
        await subscription.stop();
      }
    }
  } finally {
    await bus.close();
    for (const client of clients.values()) await client.close();
  }
  cli.err(options.dryRun ? `${seen.size} dead letters would be replayed (nothing sent, nothing acknowledged)` : `${replayed} replayed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
