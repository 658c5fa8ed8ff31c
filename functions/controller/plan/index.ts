// The controller's pure plan: resources (and what they reference) in, Functions and problems out.
import type { ClusterEventBus, EventBus, Resource } from '../../../lib/api/index.js';
import { namespaceOf } from '../../../lib/api/index.js';
import { planEventSource } from './eventsource.js';
import type { FunctionObject } from './function.js';
import type { Problem } from './problem.js';
import { planTrigger } from './trigger.js';
import { DEFAULT_IMAGES, type HandlerImages, type World } from './world.js';

export { planEventSource, planTrigger };
export { statusFor } from './status.js';
export type { ObservedFunction } from './status.js';
export { writesFor, sameJson } from './writes.js';
export type { OwnedFunction, Writes } from './writes.js';
export { imagesFrom, resolveBus, resolveSink, DEFAULT_IMAGES, IMAGE_KEYS } from './world.js';
export type { FunctionObject, Problem, World, HandlerImages };

export interface ResourcePlan {
  resource: Resource;
  functions: FunctionObject[];
  problems: Problem[];
}

/** A world built from a set of resources alone (no cluster): its buses; no addressables. */
export function worldOf(resources: readonly Resource[], images: HandlerImages = DEFAULT_IMAGES, defaultNamespace?: string): World {
  const eventBuses = new Map<string, EventBus>();
  const clusterEventBuses = new Map<string, ClusterEventBus>();
  for (const r of resources) {
    if (r.kind === 'EventBus') eventBuses.set(`${namespaceOf(r, defaultNamespace)}/${r.metadata.name}`, r);
    if (r.kind === 'ClusterEventBus') clusterEventBuses.set(r.metadata.name, r);
  }
  return { eventBuses, clusterEventBuses, addresses: new Map(), images };
}

export function planAll(resources: readonly Resource[], world: World, defaultNamespace?: string): ResourcePlan[] {
  return resources.flatMap((resource): ResourcePlan[] => {
    if (resource.kind === 'EventSource') return [{ resource, ...planEventSource(resource, world, defaultNamespace) }];
    if (resource.kind === 'Trigger') return [{ resource, ...planTrigger(resource, world, defaultNamespace) }];
    return [];
  });
}
