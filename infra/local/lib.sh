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

# ensure_node — Node 24 LTS and pnpm 10 on PATH. The machine's Node may be older (20 is end of
# life); the npm registry's `node` package carries real Node binaries, installed under $OA_HOME.
ensure_node() {
  local major=0
  command -v node >/dev/null && major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 24 ]; then
    if [ ! -x "$OA_HOME/node24/bin/node" ]; then
      command -v npm >/dev/null || apt_install nodejs npm
      log "installing Node 24 LTS from the npm registry into $OA_HOME/node24"
      npm install --global --prefix "$OA_HOME/node24" --no-fund --no-audit node@24 >/dev/null
    fi
    export PATH="$OA_HOME/node24/bin:$PATH"
  fi
  # kafkajs 2.2.4 schedules a negative timeout that Node clamps to 1 ms; the warning is noise.
  export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
  if ! command -v pnpm >/dev/null || [ "$(pnpm --version | cut -d. -f1)" != 10 ]; then
    log "installing pnpm 10"
    npm install --global --no-fund --no-audit pnpm@10 >/dev/null
    hash -r
  fi
}

# ensure_packages — the workspace's dependencies, exactly as locked.
ensure_packages() {
  (cd "$REPO_ROOT" && pnpm install --frozen-lockfile --reporter=silent)
}
