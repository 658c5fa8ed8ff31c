// Stops what global setup started, always (jest runs teardown after failures too).
export default async function globalTeardown(): Promise<void> {
  const brokers = globalThis.__OFN_BROKERS__ ?? [];
  await Promise.all(brokers.map((broker) => broker.stop()));
  globalThis.__OFN_BROKERS__ = undefined;
}
