// From a Trigger to its handler's config and the outputs that config names (upstream-behaviour §5.2 step 6, with
// its bugs fixed: every sink — dead-letter sinks included — gets its own output and index; a topic reused by
// several subscribers gets one output that all of them name; identical conditions stay distinct). Shared by the
// controller (which turns outputs into Dapr components) and the local runtime (which connects them). Pure.
import type { Sink, Trigger } from '../api/index.js';
import { namespaceOf } from '../api/index.js';
import { topicOutputName, triggerBusComponentName, triggerSinkOutputName } from '../naming.js';
import type { SubscriberConfig, TriggerHandlerConfig } from './trigger.js';

export interface TriggerOutputs {
  sinks: Array<{ output: string; sink: Sink; subscriber: number; deadLetter: boolean }>;
  topics: Array<{ output: string; topic: string }>;
}

export function planTriggerHandler(trigger: Trigger, defaultNamespace?: string): { config: TriggerHandlerConfig; outputs: TriggerOutputs } {
  const name = trigger.metadata.name;
  const namespace = namespaceOf(trigger, defaultNamespace);
  const outputs: TriggerOutputs = { sinks: [], topics: [] };
  let sinkIndex = 0;
  const sinkOutput = (sink: Sink, subscriber: number, deadLetter: boolean) => {
    const output = triggerSinkOutputName(name, ++sinkIndex);
    outputs.sinks.push({ output, sink, subscriber, deadLetter });
    return output;
  };
  const topicOutput = (topic: string) => {
    const output = topicOutputName(topic);
    if (!outputs.topics.some((t) => t.output === output)) outputs.topics.push({ output, topic });
    return output;
  };
  const subscribers: SubscriberConfig[] = trigger.spec.subscribers.map((sub, i) => ({
    condition: sub.condition,
    ...(sub.sink ? { sinkOutputName: sinkOutput(sub.sink, i, false) } : {}),
    ...(sub.deadLetterSink ? { deadLetterSinkOutputName: sinkOutput(sub.deadLetterSink, i, true) } : {}),
    ...(sub.topic ? { eventBusOutputName: topicOutput(sub.topic) } : {}),
    ...(sub.deadLetterTopic ? { deadLetterTopicOutputName: topicOutput(sub.deadLetterTopic) } : {}),
    ...(sub.delivery ? { delivery: sub.delivery } : {}),
  }));
  const config: TriggerHandlerConfig = {
    eventBusComponent: triggerBusComponentName(name),
    trigger: name,
    namespace,
    inputs: Object.entries(trigger.spec.inputs).map(([inputName, input]) => ({
      name: inputName,
      namespace: input.namespace ?? namespace,
      eventSource: input.eventSource,
      event: input.event,
      ...(input.window ? { window: input.window } : {}),
    })),
    subscribers,
    ...(trigger.spec.correlation ? { correlation: trigger.spec.correlation } : {}),
    logLevel: trigger.spec.logLevel ?? '1',
  };
  return { config, outputs };
}
