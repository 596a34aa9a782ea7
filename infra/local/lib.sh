# Shared helpers for the infra/local scripts. Sourced, not run.
set -euo pipefail

# Everything downloaded or generated at run time lives outside the repository.
OA_HOME="${OA_ARCHIVE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/oa-archive}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$OA_HOME/logs" "$OA_HOME/run"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT — true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for_port HOST PORT SECONDS NAME
wait_for_port() {
  local host=$1 port=$2 limit=$3 name=$4 i
  for ((i = 0; i < limit * 4; i++)); do
    port_open "$host" "$port" && return 0
    sleep 0.25
  done
  die "$name did not start listening on $host:$port within ${limit}s (see $OA_HOME/logs/)"
}

APT_UPDATED=0
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pid_running PIDFILE NAMES — the pid file names a live process called one of NAMES ("a|b"). A pid file
# outlives a reboot, and its pid may by then belong to another program, which must be neither taken
# for our service nor stopped in its place.
pid_running() {
  local pid name
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  name=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ "|$2|" == *"|$name|"* ]]
}

# stop_pidfile PIDFILE SECONDS NAMES — TERM the process a pid file names (if it is called one of
# NAMES), KILL it if it has not gone within SECONDS, and remove the file. True when there was a live
# process to stop.
stop_pidfile() {
  local pidfile=$1 seconds=$2 pid i
  pid_running "$pidfile" "$3" || { rm -f "$pidfile"; return 1; }
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  kill -TERM "$pid"
  for ((i = 0; i < seconds * 4; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

# ensure_maven — Java and Maven, which resolve the Kafka, S3Proxy and validator jars from Maven Central.
ensure_maven() {
  command -v java >/dev/null || apt_install default-jre-headless
  command -v mvn >/dev/null || apt_install maven
}

# node_platform_package — the npm registry's package that carries a Node binary for this machine.
# These packages ship the binary itself and need no install script (npm 11 runs none unless allowed,
# which is why the `node` wrapper package, whose preinstall downloads the binary, cannot be used).
node_platform_package() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no Node 24 package for $(uname -s) on the npm registry: install Node 24 LTS by hand and put it first on PATH" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node 24 package for $(uname -m) on the npm registry: install Node 24 LTS by hand and put it first on PATH" ;;
  esac
  echo "node-$os-$arch"
}

# npm_install_prefix PREFIX SPEC — installs SPEC with the machine's npm into PREFIX, atomically: an
# interrupted install leaves no half-filled PREFIX that a later run would take for a finished one.
# Called before Node 24 is put on PATH, so npm runs on the machine's own Node and reads its config.
npm_install_prefix() {
  local prefix=$1 spec=$2 globalconfig
  command -v npm >/dev/null || apt_install nodejs npm
  # --prefix also moves npm's global config to PREFIX/etc/npmrc: keep the machine's (its registry, its
  # CA file) by naming it, or a registry behind a private CA fails with SELF_SIGNED_CERT_IN_CHAIN.
  globalconfig=$(npm config get globalconfig)
  rm -rf "$prefix.partial"
  npm install --global --prefix "$prefix.partial" --globalconfig "$globalconfig" --no-fund --no-audit --loglevel=error "$spec" >/dev/null ||
    die "npm could not install $spec from the registry (see the npm error above); check the registry settings in ~/.npmrc, or install $spec by hand"
  rm -rf "$prefix"
  mv "$prefix.partial" "$prefix"
}

# major_of BINARY — the major version a binary reports, 0 when it does not run.
major_of() {
  local version
  version=$("$1" --version 2>/dev/null) || version=0
  version=${version#v}
  echo "${version%%.*}"
}

# ensure_node — Node 24 LTS and pnpm 10 first on PATH, both installed under $OA_HOME when the machine
# lacks them. The machine's Node may be older (20 is end of life); its npm is only used to install.
PNPM_VERSION=$(sed -nE 's/.*"packageManager": *"pnpm@([0-9.]+)".*/\1/p' "$REPO_ROOT/package.json")
ensure_node() {
  local node_dir="$OA_HOME/node24" pnpm_dir="$OA_HOME/pnpm-$PNPM_VERSION" use_own_node=0 pkg
  # Node trusts only the CA list compiled into it. Where the machine reaches the registry through a
  # proxy whose CA is in the system's store, every tarball fetch fails with "self-signed certificate
  # in certificate chain" unless Node is told to read that store as well.
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  if [ "$(command -v node >/dev/null && major_of node || echo 0)" -lt 24 ]; then
    use_own_node=1
    if [ "$(major_of "$node_dir/bin/node")" != 24 ]; then
      pkg=$(node_platform_package)
      log "installing Node 24 LTS ($pkg@24 from the npm registry) into $node_dir"
      npm_install_prefix "$node_dir" "$pkg@24"
      [ "$(major_of "$node_dir/bin/node")" = 24 ] || die "$pkg@24 installed no working node binary in $node_dir/bin"
    fi
  fi
  # pnpm goes into a prefix of its own: with Node 24 first on PATH, a plain `npm install --global`
  # would put it under the prefix npm derives from that node, which is not on PATH.
  if [ "$("$pnpm_dir/bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION into $pnpm_dir"
    npm_install_prefix "$pnpm_dir" "pnpm@$PNPM_VERSION"
  fi
  [ "$use_own_node" = 1 ] && export PATH="$node_dir/bin:$PATH"
  export PATH="$pnpm_dir/bin:$PATH"
  hash -r
  # kafkajs 2.2.4 schedules a negative timeout that Node clamps to 1 ms; the warning is noise.
  case "${NODE_OPTIONS:-}" in *TimeoutNegativeWarning*) ;; *) export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning" ;; esac
}

# ensure_packages — the workspace's dependencies, exactly as locked. After failed tarball fetches a
# pnpm install has been seen to stall for good (every thread idle, no socket open) instead of exiting,
# so each try gets a deadline and a stalled one is tried again.
PNPM_INSTALL_DEADLINE_S=${PNPM_INSTALL_DEADLINE_S:-300}
ensure_packages() {
  local try rc
  for try in 1 2 3; do
    rc=0
    (cd "$REPO_ROOT" && timeout --kill-after=10 "$PNPM_INSTALL_DEADLINE_S" pnpm install --frozen-lockfile --reporter=silent) || rc=$?
    [ "$rc" = 0 ] && return 0
    [ "$rc" = 124 ] || [ "$rc" = 137 ] || die "pnpm install failed (exit $rc)"
    log "pnpm install made no end within ${PNPM_INSTALL_DEADLINE_S}s (try $try of 3); trying again"
  done
  die "pnpm install did not finish in three tries of ${PNPM_INSTALL_DEADLINE_S}s each"
}
