#!/usr/bin/env bash
# A local clamd for the virus check (DA/T 70 GD-4-2), on a unix socket, over the project's own
# signature database. freshclam needs the internet, so no official database is downloaded here: the
# database holds the EICAR test file's body signature (written from the string below), enough to
# prove the path end to end. Production points CLAMAV_SOCKET at the agency's own clamd, whose
# database freshclam (or the agency's mirror) keeps updated; the four-properties report names the
# engine and database version it used (GD-4-1).
#   clamav.sh start | stop | status
# Environment: CLAMAV_HOME (config and database, default $OA_HOME/clamav), CLAMAV_SOCKET (default
# $OA_HOME/run/clamd.sock, the worker's default too), CLAMAV_EXTRA_DB (a directory whose .ndb/.hdb
# files are added to the database, e.g. the agency's own signatures).
source "$(dirname "$0")/lib.sh"

CLAMAV_HOME="${CLAMAV_HOME:-$OA_HOME/clamav}"
SOCKET="${CLAMAV_SOCKET:-$OA_HOME/run/clamd.sock}"
SOCKET="${SOCKET#unix://}"
PIDFILE="$CLAMAV_HOME/clamd.pid"
DB="$CLAMAV_HOME/db"

running() { [ -S "$SOCKET" ] && pid_running "$PIDFILE" clamd; }

write_database() {
  mkdir -p "$DB"
  # The EICAR string in two halves, so this script is not itself the test file.
  local eicar hex
  eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR''-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
  hex=$(printf '%s' "$eicar" | od -An -v -tx1 | tr -d ' \n')
  printf 'OA-Archive.Test.EICAR:0:*:%s\n' "$hex" >"$DB/oa-archive.ndb.partial"
  mv "$DB/oa-archive.ndb.partial" "$DB/oa-archive.ndb"
  if [ -n "${CLAMAV_EXTRA_DB:-}" ]; then
    find "$CLAMAV_EXTRA_DB" -maxdepth 1 \( -name '*.ndb' -o -name '*.hdb' \) -exec cp {} "$DB/" \;
  fi
}

start() {
  if running; then log "clamd already answers on $SOCKET"; return 0; fi
  command -v clamd >/dev/null || apt_install clamav clamav-daemon
  mkdir -p "$CLAMAV_HOME" "$(dirname "$SOCKET")"
  exec 8>"$CLAMAV_HOME.lock"
  flock 8
  if running; then log "clamd already answers on $SOCKET"; return 0; fi
  write_database
  rm -f "$SOCKET"
  # Components are streamed (INSTREAM) up to FETCH_MAX_BYTES (4 GiB by default): let clamd take them whole.
  cat >"$CLAMAV_HOME/clamd.conf" <<CONF
LocalSocket $SOCKET
LocalSocketMode 660
DatabaseDirectory $DB
PidFile $PIDFILE
LogFile $OA_HOME/logs/clamd.log
LogTime yes
Foreground no
StreamMaxLength 4000M
MaxFileSize 4000M
MaxScanSize 4000M
MaxThreads 4
CONF
  log "starting clamd on $SOCKET (signatures in $DB)"
  clamd --config-file="$CLAMAV_HOME/clamd.conf" 8>&- || die "clamd did not start (see $OA_HOME/logs/clamd.log)"
  local i
  for ((i = 0; i < 120; i++)); do
    running && { log "clamd answers on $SOCKET ($(clamd --version))"; return 0; }
    sleep 0.25
  done
  die "clamd did not open $SOCKET within 30s (see $OA_HOME/logs/clamd.log)"
}

stop() {
  stop_pidfile "$PIDFILE" 10 clamd || true
  rm -f "$SOCKET"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "clamd answers on $SOCKET"; else echo "clamd is not running"; exit 1; fi ;;
  *) die "usage: clamav.sh start | stop | status" ;;
esac
