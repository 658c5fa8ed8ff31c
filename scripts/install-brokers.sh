#!/usr/bin/env bash
# Installs the real brokers the integration tests start privately (DESIGN §4): nats-server (JetStream),
# mosquitto and redis-server, from Debian packages, only when missing. Needs root or sudo for apt-get.
set -euo pipefail

want=()
command -v nats-server >/dev/null 2>&1 || want+=(nats-server)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || want+=(mosquitto)
command -v redis-server >/dev/null 2>&1 || want+=(redis-server)

if [ ${#want[@]} -eq 0 ]; then
  echo "brokers: nats-server, mosquitto and redis-server already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "brokers: need root or sudo to install ${want[*]}" >&2; exit 1; }
  sudo="sudo"
fi

echo "brokers: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --no-install-recommends: we start private instances ourselves, not the packaged system services.
$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
# The packages may start system-wide daemons on the default ports; the tests never use them, so stop them
# where a service manager exists, to keep the machine quiet. Failure here is harmless.
for svc in mosquitto redis-server nats-server; do
  (command -v service >/dev/null 2>&1 && $sudo service "$svc" stop >/dev/null 2>&1) || true
done
echo "brokers: installed ${want[*]}"
