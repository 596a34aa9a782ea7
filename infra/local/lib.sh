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
