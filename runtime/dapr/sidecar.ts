// One rendered Function run as OpenFunction runs it (runtime/dapr/openfunction.ts): its package under Node with the
// container's environment, and a real daprd sidecar loaded with the Function's components, on loopback ports.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, lastLines, LOOPBACK, startChild, waitUntil, type Child } from '../processes.js';
import type { FunctionLaunch } from './openfunction.js';
import { sidecarArgs } from './openfunction.js';

export interface Ports {
  app: number;
  http: number;
  grpc: number;
  internalGrpc: number;
  metrics: number;
}

/** How to start a handler package: the command and arguments (PORT and the rest come through the environment). */
export interface PackageCommand {
  command: string;
  args: string[];
  cwd?: string;
}

export interface SidecarOptions {
  daprd: string;
  /** The handler's command, per package. */
  packageCommand(handler: FunctionLaunch['handler']): PackageCommand;
  /** Where the Function's resources directory goes. */
  workDir: string;
  daprLogLevel?: string;
  /** Extra component documents for every sidecar (a secret store). */
  extraComponents?: object[];
  onLine?(source: 'app' | 'daprd', line: string): void;
  readyTimeoutMs?: number;
  /**
   * Dapr's two tokens, as its injector sets them from the app-token secret: daprd requires `dapr` from the app
   * (DAPR_API_TOKEN) and sends `app` on every call to the app (APP_API_TOKEN), which the host then requires.
   */
  apiTokens?: { app: string; dapr: string };
}

export interface RunningFunction {
  launch: FunctionLaunch;
  ports: Ports;
  app: Child;
  daprd: Child;
  /** http://127.0.0.1:<dapr http port> */
  daprUrl: string;
  appUrl: string;
  /**
   * Restarts the function container alone (the sidecar keeps running), as a pod's container restart does; with
   * `kill`, the container dies by SIGKILL first (no drain), as an OOM kill or a node loss ends it.
   */
  restartApp(options?: { kill?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

async function ok(url: string, expect: (status: number) => boolean): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return expect(response.status);
}

/**
 * Starts the Function; another process may take a free port between our pick and daprd's bind ("could not listen
 * on any endpoint"), so a start that fails that way is tried again on new ports, twice at most.
 */
export async function startFunction(launch: FunctionLaunch, options: SidecarOptions): Promise<RunningFunction> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(launch, options);
    } catch (e) {
      if (attempt >= 3 || !/could not listen|EADDRINUSE|address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(launch: FunctionLaunch, options: SidecarOptions): Promise<RunningFunction> {
  const dir = join(options.workDir, launch.appId);
  const resources = join(dir, 'resources');
  // daprd loads every file there: nothing but this Function's components.
  rmSync(resources, { recursive: true, force: true });
  mkdirSync(resources, { recursive: true });
  for (const component of [...launch.components, ...(options.extraComponents ?? [])]) {
    const name = (component as { metadata: { name: string } }).metadata.name;
    writeFileSync(join(resources, `${name}.yaml`), stringify(component, { lineWidth: 0, aliasDuplicateObjects: false }));
  }
  const ports: Ports = { app: await freePort(), http: await freePort(), grpc: await freePort(), internalGrpc: await freePort(), metrics: await freePort() };
  const daprUrl = `http://${LOOPBACK}:${ports.http}`;
  const appUrl = `http://${LOOPBACK}:${ports.app}`;
  const timeout = options.readyTimeoutMs ?? 60_000;
  const pkg = options.packageCommand(launch.handler);
  // The function container's environment (runtime-contract §4.2) plus what the sidecar injector adds.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    ...launch.env,
    PORT: String(ports.app),
    DAPR_HTTP_PORT: String(ports.http),
    DAPR_GRPC_PORT: String(ports.grpc),
    POD_NAME: `${launch.function}-${launch.serving}`,
    ...(options.apiTokens ? { APP_API_TOKEN: options.apiTokens.app, DAPR_API_TOKEN: options.apiTokens.dapr } : {}),
  };

  const startApp = async (): Promise<Child> => {
    const child = startChild(`${launch.function} (${launch.handler})`, pkg.command, pkg.args, { ...(pkg.cwd ? { cwd: pkg.cwd } : {}), env, onLine: (l) => options.onLine?.('app', l) });
    await waitUntil(child, () => ok(`${appUrl}/healthz`, (s) => s === 200), 'serving', timeout);
    return child;
  };

  let app = await startApp();
  const daprd = startChild(`daprd for ${launch.appId}`, options.daprd, sidecarArgs(launch, ports, resources, options.daprLogLevel ?? 'info'), {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NAMESPACE: launch.namespace, ...(options.apiTokens ? { APP_API_TOKEN: options.apiTokens.app, DAPR_API_TOKEN: options.apiTokens.dapr } : {}) },
    onLine: (l) => options.onLine?.('daprd', l),
  });
  try {
    // 204 once every component is initialised and the app's subscriptions and bindings are wired.
    await waitUntil(daprd, () => ok(`${daprUrl}/v1.0/healthz`, (s) => s === 204), 'healthy', timeout);
  } catch (e) {
    await Promise.all([app.stop(), daprd.stop()]);
    throw new Error(`${launch.function}: the sidecar did not start: ${(e as Error).message}${daprErrors(daprd.output())}`, { cause: e });
  }
  const running: RunningFunction = {
    launch,
    ports,
    get app() {
      return app;
    },
    daprd,
    daprUrl,
    appUrl,
    async restartApp(restart = {}) {
      if (restart.kill) app.kill('SIGKILL');
      await app.stop();
      app = await startApp();
    },
    async stop() {
      // The app drains first (it still needs the sidecar to finish its sends), then the sidecar.
      await app.stop();
      await daprd.stop();
    },
  };
  return running;
}

/** The error lines of daprd's JSON log, which say which component failed and why. */
function daprErrors(output: string): string {
  const errors = output
    .split('\n')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        return entry.level === 'error' || entry.level === 'fatal' ? entry.msg : undefined;
      } catch {
        return undefined;
      }
    })
    .filter((m): m is string => Boolean(m));
  return errors.length > 0 ? `\ndaprd said:\n  ${lastLines(errors.join('\n'), 5).split('\n').join('\n  ')}` : '';
}
