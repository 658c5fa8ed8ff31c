#!/usr/bin/env bash
# Opt-in end-to-end check on a real cluster with OpenFunction installed: applies the CRDs, a sample, runs one
# reconcile of the controller from this machine with the current kubeconfig, and waits for the generated Functions
# and the status. Skipped (exit 0) when there is no kubectl or no reachable cluster. `npm run test:e2e`.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v kubectl >/dev/null 2>&1 || ! kubectl version --request-timeout=5s >/dev/null 2>&1; then
  echo "e2e: skipped: no kubectl or no reachable cluster (set KUBECONFIG to run it)"
  exit 0
fi
ns="ofn-events-e2e-$$"
cleanup() { kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

kubectl apply -f manifests/crds/
kubectl create namespace "$ns"
kubectl apply -n "$ns" -f manifests/samples/simulate/orders.yaml
npm run build --silent
node --input-type=module -e "
  import { KubeConfig } from '@kubernetes/client-node';
  import { kubeFrom } from './dist/lib/io/kube.js';
  import { reconcileAll } from './dist/functions/controller/reconcile.js';
  const kc = new KubeConfig(); kc.loadFromDefault();
  const log = { debug() {}, info() {}, warn: console.warn, error: console.error };
  const stats = await reconcileAll(kubeFrom(kc), { now: () => new Date(), log });
  console.log(JSON.stringify(stats));
  if (stats.errors.length) process.exit(1);
"
for fn in esw-shop-mqtt-paid esw-shop-mqtt-packed t-shipping; do
  until kubectl get -n "$ns" functions.core.openfunction.io "$fn" >/dev/null 2>&1; do sleep 1; done
  echo "e2e: Function $fn exists"
done
state=$(kubectl get -n "$ns" triggers.events.openfunction.io shipping -o jsonpath='{.status.state}')
[ -n "$state" ] || { echo "e2e: Trigger has no status"; exit 1; }
echo "e2e: Trigger shipping status $state"
