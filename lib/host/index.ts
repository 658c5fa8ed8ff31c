// Runs an OpenFunction async function under Dapr: reads the environment, serves the app contract, drains on
// SIGTERM. The function's own config (env CONFIG) is the function's business.
import { METADATA_KEY } from '../config/describe.js';
import type { AsyncFunction, Logger } from '../function.js';
import { parseFuncContext, type FuncContext } from './context.js';
import { createSidecar, type Sidecar } from './dapr.js';
import { createLogger } from './log.js';
import { createMetrics } from './metrics.js';
import { createHost, type Host } from './server.js';

export { parseFuncContext, createSidecar, createHost, createLogger, createMetrics };
export type { FuncContext, Sidecar, Host };

export interface HostEnv {
  context: FuncContext;
  port: number;
  daprHost: string;
  daprHttpPort: number;
  daprApiToken?: string;
  appApiToken?: string;
}

/**
 * research/runtime-contract §9.3: PORT (8080), DAPR_HOST (127.0.0.1), DAPR_HTTP_PORT (3500), DAPR_API_TOKEN (sent to
 * the sidecar), APP_API_TOKEN (required from the sidecar; Dapr's injector sets both from the app-token secret).
 */
export function readHostEnv(env: NodeJS.ProcessEnv): HostEnv {
  const context = parseFuncContext(env.FUNC_CONTEXT);
  const port = Number(env.PORT ?? context.port ?? 8080);
  return {
    context,
    port: Number.isInteger(port) ? port : 8080,
    daprHost: env.DAPR_HOST || '127.0.0.1',
    daprHttpPort: Number(env.DAPR_HTTP_PORT ?? 3500),
    ...(env.DAPR_API_TOKEN ? { daprApiToken: env.DAPR_API_TOKEN } : {}),
    ...(env.APP_API_TOKEN ? { appApiToken: env.APP_API_TOKEN } : {}),
  };
}

/**
 * Starts the host for `fn`. `makeFunction` builds the function from its logger (so config errors are logged as
 * JSON, then the process exits 1: a pod that cannot start should say why and restart, not serve half a contract).
 */
export async function serve(
  name: string,
  makeFunction: (log: Logger, env: HostEnv) => AsyncFunction,
  logLevel: string | undefined,
  hooks: { onStop?: () => void | Promise<void>; rawPubSub?: boolean; describe?: () => Record<string, unknown> } = {},
): Promise<Host | undefined> {
  const log = createLogger(name, logLevel);
  let host: Host;
  let env: HostEnv;
  let sidecar: Sidecar;
  try {
    env = readHostEnv(process.env);
    const fn = makeFunction(log, env);
    sidecar = createSidecar({ host: env.daprHost, httpPort: env.daprHttpPort, ...(env.daprApiToken ? { apiToken: env.daprApiToken } : {}) });
    host = createHost({ context: env.context, fn, sidecar, log, metrics: createMetrics(), ...(hooks.rawPubSub ? { rawPubSub: true } : {}), ...(env.appApiToken ? { appApiToken: env.appApiToken } : {}) });
  } catch (e) {
    log.error({ reason: (e as Error).message }, 'cannot start');
    process.exitCode = 1;
    return undefined;
  }
  const port = await host.listen(env.port);
  if (hooks.describe) void announce(sidecar, hooks.describe, log);
  log.info({ port, inputs: Object.keys(env.context.inputs ?? {}), outputs: Object.keys(env.context.outputs ?? {}) }, 'serving');
  // After the drain the process exits, rather than waiting for every handle a client library keeps (a Kubernetes
  // watch, a keep-alive socket) to close: the kubelet would otherwise wait out the grace period and SIGKILL it.
  const stop = (signal: string) => {
    log.info({ signal }, 'draining');
    // The function's own shutdown (the controller's queued Events) runs beside the drain; the process exits after both.
    void Promise.all([host.drain(30_000), hooks.onStop?.()]).then(() => {
      log.info({}, 'stopped');
      process.exit();
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return host;
}

/**
 * Sets what the function does as the sidecar's extended metadata, for the Dapr dashboard. The sidecar starts after
 * the app answers (daprd waits for the app port), so this retries, once a second, for two minutes at most; a
 * failure costs only the description.
 */
async function announce(sidecar: Sidecar, describe: () => Record<string, unknown>, log: Logger): Promise<void> {
  let value: string;
  try {
    value = JSON.stringify(describe());
  } catch {
    return;
  }
  for (let attempt = 1; attempt <= 120; attempt++) {
    try {
      await sidecar.setMetadata(METADATA_KEY, value);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }
  log.warn({ key: METADATA_KEY }, 'the sidecar never took the extended metadata');
}
