// Starts one private instance of each broker for the integration project; test files read their URLs from the
// environment (sharedBrokerUrl). Tests that stop or restart a broker start their own with startBroker().
import { BROKER_ENV, startBroker, type Broker, type BrokerKind } from './brokers.js';

declare global {
  var __OFN_BROKERS__: Broker[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const kinds: BrokerKind[] = ['nats', 'mosquitto', 'redis'];
  const brokers = await Promise.all(kinds.map((kind) => startBroker(kind)));
  globalThis.__OFN_BROKERS__ = brokers;
  for (const broker of brokers) process.env[BROKER_ENV[broker.kind]] = broker.url;
}
