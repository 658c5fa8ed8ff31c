// From a Trigger to its handler's config and the outputs that config names (upstream-behaviour §5.2 step 6, with
// its bugs fixed: every sink — dead-letter sinks included — gets its own output and index; a topic reused by
// several subscribers gets one output that all of them name; identical conditions stay distinct). Shared by the
// controller (which turns outputs into Dapr components) and the local runtime (which connects them). Pure.
import type { Sink, Trigger } from '../api/index.js';
import { namespaceOf } from '../api/index.js';
import { topicOutputName, triggerBusComponentName, triggerSinkOutputName } from '../naming.js';
import type { SubscriberConfig, TriggerHandlerConfig } from './trigger.js';

/** The name of a Trigger's correlation state store among its Function's `serving.states` (FUNC_CONTEXT `states`). */
export const CORRELATION_STATE = 'correlation';

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
  // Fields assigned in this order (the order of the encoded CONFIG); assignments rather than spreads, as the
  // controller plans every Trigger on every resync.
  const subscribers: SubscriberConfig[] = trigger.spec.subscribers.map((sub, i) => {
    const subscriber: SubscriberConfig = { condition: sub.condition };
    if (sub.sink) subscriber.sinkOutputName = sinkOutput(sub.sink, i, false);
    if (sub.deadLetterSink) subscriber.deadLetterSinkOutputName = sinkOutput(sub.deadLetterSink, i, true);
    if (sub.topic) subscriber.eventBusOutputName = topicOutput(sub.topic);
    if (sub.deadLetterTopic) subscriber.deadLetterTopicOutputName = topicOutput(sub.deadLetterTopic);
    if (sub.delivery) subscriber.delivery = sub.delivery;
    if (sub.absence) subscriber.absence = sub.absence;
    return subscriber;
  });
  const inputs: TriggerHandlerConfig['inputs'] = [];
  for (const inputName in trigger.spec.inputs) {
    const input = trigger.spec.inputs[inputName]!;
    const planned: TriggerHandlerConfig['inputs'][number] = { name: inputName, namespace: input.namespace ?? namespace, eventSource: input.eventSource, event: input.event };
    if (input.window) planned.window = input.window;
    if (input.key) planned.key = input.key;
    inputs.push(planned);
  }
  const config: TriggerHandlerConfig = { eventBusComponent: triggerBusComponentName(name), trigger: name, namespace, inputs, subscribers } as TriggerHandlerConfig;
  const correlation = trigger.spec.correlation;
  if (correlation) {
    // The store's address and credentials stay in its Dapr component; the handler knows it by its FUNC_CONTEXT name.
    const { state, ...rest } = correlation;
    config.correlation = rest;
    if (state) config.stateStore = state.component ?? CORRELATION_STATE;
  }
  config.logLevel = trigger.spec.logLevel ?? '1';
  return { config, outputs };
}
