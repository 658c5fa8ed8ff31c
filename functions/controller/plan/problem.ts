// A reason the plan could not produce (all of) a resource's Functions: becomes a status condition. Pure.
export interface Problem {
  /** CamelCase, e.g. EventBusNotFound, SinkNotReady, InvalidSpec. */
  reason: string;
  /** Names the field at fault: `spec.eventBus: no EventBus "x" …`. */
  message: string;
}
