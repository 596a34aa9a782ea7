#!/usr/bin/env bash
# A throw-away single-node Ceph cluster with a RADOS Gateway S3 endpoint on 127.0.0.1:7480, for the
# tests of the Object Lock path: S3Proxy (s3.sh) answers 501 to Object Lock, RGW enforces it (a
# COMPLIANCE version cannot be deleted nor its retention shortened, a legal hold blocks deletion).
# One monitor, one OSD on memstore (data in memory: nothing to survive, nothing on disk to fill), no
# manager, authentication off, everything on loopback. All state is under $OA_HOME/ceph and is wiped
# and recreated on every start (it comes up in ~15 s, ~190 MB resident). Debian's packages are
# installed when missing (Ceph 16.2 in Debian 12; 57 packages, ~10 s from the registry here).
#   ceph.sh start | stop | status
# Environment: CEPH_S3_PORT (7480), CEPH_MON_PORT (16789), CEPH_S3_ACCESS_KEY_ID /
# CEPH_S3_SECRET_ACCESS_KEY (the S3 user created on start; the tests' defaults match).
source "$(dirname "$0")/lib.sh"

PORT="${CEPH_S3_PORT:-7480}"
MON_PORT="${CEPH_MON_PORT:-16789}"
ACCESS_KEY="${CEPH_S3_ACCESS_KEY_ID:-oa-archive-lock}"
SECRET_KEY="${CEPH_S3_SECRET_ACCESS_KEY:-oa-archive-lock-secret}"
DIR="$OA_HOME/ceph"
CONF="$DIR/ceph.conf"
DAEMONS=(rgw osd mon) # stop order: clients of the cluster first
RGW_NAME=client.rgw.oa

pidfile() { echo "$OA_HOME/run/ceph-$1.pid"; }
ceph_cli() { ceph -c "$CONF" --connect-timeout 20 "$@"; }

install_packages() {
  # ceph-common brings the ceph CLI, ceph-authtool and monmaptool's libraries; radosgw brings
  # radosgw-admin. Debian 12 ships Ceph 16.2 (Pacific).
  apt_install ceph-common ceph-mon ceph-osd radosgw
}

write_config() {
  local fsid=$1
  cat >"$CONF" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
# One protocol, one port: msgr2 would also bind 3300.
ms bind msgr2 = false
ms bind port min = 16800
ms bind port max = 16899
auth cluster required = none
auth service required = none
auth client required = none
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
# One OSD holds one copy of everything. Pacific refuses pools of size 1 unless allowed, and radosgw
# creates its pools with the defaults on first start.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon cluster log file = $OA_HOME/logs/ceph-cluster.log

[mon]
mon data = $DIR/mon/\$name
log file = $OA_HOME/logs/ceph-\$name.log
# The machine's disk is shared: do not stop the monitor over a disk another program fills.
mon data avail crit = 1
mon data avail warn = 2

[osd]
osd data = $DIR/osd/\$id
osd objectstore = memstore
# memstore keeps objects in memory up to this size, which is also the size the OSD reports.
memstore device bytes = 2147483648
# ceph.sh places the OSD in the crush map itself. Left to the OSD, its first command at start-up can
# leave before it has the monitor's map, carrying an empty cluster fsid; the monitor refuses it
# ('wrong fsid') and the OSD exits. Seen here on every first start in a new OA_ARCHIVE_HOME after
# another cluster had run, and in CI.
osd crush update on start = false
osd class update on start = false
log file = $OA_HOME/logs/ceph-\$name.log

[$RGW_NAME]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
log file = $OA_HOME/logs/ceph-\$name.log
# Encryption at rest for the S3_SSE tests: SSE-KMS (aws:kms) against the built-in test key store, key id
# oa-archive-test; RGW otherwise refuses SSE over plain HTTP. A throw-away key for a throw-away cluster.
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = oa-archive-test=DImDzqC2mLK97NJxLy0MPUUgD6v0yHo3suv9hSuLIEI=
CONF
}

endpoint_answers() { port_open 127.0.0.1 "$PORT"; }

# list_buckets_ok — a signed S3 ListBuckets as the test user succeeds. curl signs with SigV4 but, in
# Debian 12's 7.88, leaves out x-amz-content-sha256, without which RGW answers SignatureDoesNotMatch.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
list_buckets_ok() {
  curl -sf --max-time 10 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" \
    "http://127.0.0.1:$PORT/" 2>/dev/null | grep -q ListAllMyBucketsResult
}

# run_daemon NAME COMMAND... — in the background, in the foreground mode of the daemon so that the
# pid we record is the daemon's own. setsid: a Ctrl-C in the terminal that ran the tests must not
# reach the daemons (a background job of a script is not a group leader, so setsid execs in place
# and $! stays the daemon's pid). 8>&-: the daemon must not inherit the start lock, or the next
# start would wait for it to exit.
run_daemon() {
  local name=$1
  shift
  setsid "$@" -c "$CONF" -f >>"$OA_HOME/logs/ceph-$name.out" 2>&1 </dev/null 8>&- &
  echo $! >"$(pidfile "$name")"
}

DAEMON_NAMES='ceph-mon|ceph-osd|radosgw'
alive() { pid_running "$(pidfile "$1")" "$DAEMON_NAMES"; }

# leftover_daemons — pids of daemons of an earlier throw-away cluster that this home's pid files do not
# name: one started from another OA_ARCHIVE_HOME, or one whose home was deleted under it. They have the
# command line run_daemon gives (`-c …/ceph/ceph.conf -f`, never /etc/ceph's). Such an OSD keeps
# knocking on the monitor port with its old cluster's identity, and a fresh cluster's OSD then exits at
# start-up with nothing in its log (seen here, and in CI on both tries). A cluster whose configuration still
# exists and names another monitor port is someone else's, and is left alone.
leftover_daemons() {
  local dir comm args conf
  for dir in /proc/[0-9]*; do
    comm=$(cat "$dir/comm" 2>/dev/null) || continue
    case "$comm" in ceph-mon | ceph-osd | radosgw) ;; *) continue ;; esac
    args=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
    case "$args" in *" -c /etc/ceph/"*) continue ;; *" -c "*/ceph/ceph.conf" -f "*) ;; *) continue ;; esac
    conf=${args#* -c }
    conf=${conf%% *}
    if [ -f "$conf" ] && ! grep -q "^mon host = v1:127.0.0.1:$MON_PORT\$" "$conf"; then continue; fi
    echo "${dir#/proc/}"
  done
}

stop_leftovers() {
  local pid
  for pid in $(leftover_daemons); do
    log "stopping a leftover Ceph daemon of an earlier test cluster: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)(pid $pid)"
    echo "$pid" >"$OA_HOME/run/ceph-leftover.pid"
    stop_pidfile "$OA_HOME/run/ceph-leftover.pid" 10 "$DAEMON_NAMES" || true
  done
}

# show_logs NAME LOGNAME — the end of a daemon's output and log and output, so that a failure says why where it is seen
# (in CI, the log files themselves are gone with the machine).
show_logs() {
  local f
  for f in "$OA_HOME/logs/ceph-$1.out" "$OA_HOME/logs/ceph-$2.log"; do
    [ -f "$f" ] || continue
    echo "----- last lines of $f" >&2
    grep -v '^$' "$f" | tail -n 25 >&2
  done
}

start() {
  if endpoint_answers; then log "Ceph RGW already answers on 127.0.0.1:$PORT"; return 0; fi
  mkdir -p "$OA_HOME/run"
  exec 8>"$OA_HOME/run/ceph.lock"
  flock 8
  if endpoint_answers; then log "Ceph RGW already answers on 127.0.0.1:$PORT"; return 0; fi
  command -v curl >/dev/null || apt_install curl
  install_packages
  # The throw-away cluster is made anew each time. Once here an OSD died at start-up against a fresh
  # monitor ('wrong fsid') and was not seen again; a second fresh cluster is cheap (~15 s) and says why.
  ( start_cluster ) || { log "the Ceph cluster did not come up; making it anew once more"; ( start_cluster ); }
}

start_cluster() {
  stop quiet
  stop_leftovers
  port_open 127.0.0.1 "$MON_PORT" && die "127.0.0.1:$MON_PORT is taken by another program; set CEPH_MON_PORT"

  local began=$SECONDS fsid osd_uuid i
  rm -rf "$DIR"
  mkdir -p "$DIR/mon" "$DIR/osd/0" "$DIR/rgw" "$DIR/run"
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$fsid"
  # Authentication is off, but the monitor's mkfs still wants a keyring with its own key.
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring" >>"$OA_HOME/logs/ceph-mon.out" 2>&1 ||
    die "ceph-mon --mkfs failed (see $OA_HOME/logs/ceph-mon.out)"

  log "starting Ceph monitor on 127.0.0.1:$MON_PORT"
  run_daemon mon ceph-mon -i a
  wait_for_port 127.0.0.1 "$MON_PORT" 30 "Ceph monitor"
  ceph_cli mon stat >/dev/null || die "the Ceph monitor does not answer (see $OA_HOME/logs/ceph-mon.a.log)"

  log "creating one memstore OSD"
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  [ "$(ceph_cli osd new "$osd_uuid")" = 0 ] || die "the monitor did not give the OSD id 0"
  ceph_cli osd crush add osd.0 1 root=default host=local >/dev/null 2>&1 ||
    die "the monitor did not place osd.0 in the crush map"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$OA_HOME/logs/ceph-osd.out" 2>&1 ||
    die "ceph-osd --mkfs failed (see $OA_HOME/logs/ceph-osd.out)"
  run_daemon osd ceph-osd -i 0
  for ((i = 0; i < 120; i++)); do
    [ "$(ceph_cli osd dump -f json 2>/dev/null | grep -o '"up":1' | head -n 1)" = '"up":1' ] && break
    alive osd || { show_logs osd osd.0; die "ceph-osd exited (see $OA_HOME/logs/ceph-osd.0.log and ceph-osd.out)"; }
    sleep 0.5
  done
  ((i < 120)) || die "the OSD did not come up within 60 s (see $OA_HOME/logs/ceph-osd.0.log)"

  log "starting radosgw on 127.0.0.1:$PORT"
  run_daemon rgw radosgw -n "$RGW_NAME"
  # radosgw listens only once it has created its pools and they are active.
  for ((i = 0; i < 480; i++)); do
    endpoint_answers && break
    alive rgw || { show_logs rgw "$RGW_NAME"; die "radosgw exited (see $OA_HOME/logs/ceph-$RGW_NAME.log and ceph-rgw.out)"; }
    sleep 0.25
  done
  endpoint_answers || die "radosgw did not listen on 127.0.0.1:$PORT within 120 s (see $OA_HOME/logs/ceph-$RGW_NAME.log)"

  radosgw-admin -c "$CONF" user create --uid=oa-archive-lock --display-name="oa-archive Object Lock tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null ||
    die "radosgw-admin could not create the S3 user"
  radosgw-admin -c "$CONF" user info --uid=oa-archive-lock | grep -q "\"access_key\": \"$ACCESS_KEY\"" ||
    die "the S3 user was not stored"
  # The user's metadata reaches radosgw's cache at once, but check with a real signed request.
  for ((i = 0; i < 40; i++)); do list_buckets_ok && break; sleep 0.25; done
  list_buckets_ok || die "radosgw answers, but a signed ListBuckets as $ACCESS_KEY fails (see $OA_HOME/logs/ceph-$RGW_NAME.log)"
  log "Ceph RGW is up on 127.0.0.1:$PORT in $((SECONDS - began)) s (user $ACCESS_KEY; state in $DIR)"
}

stop() {
  local name stopped=0
  for name in "${DAEMONS[@]}"; do
    if stop_pidfile "$(pidfile "$name")" 10 "$DAEMON_NAMES"; then stopped=1; fi
  done
  [ "${1:-}" = quiet ] || [ "$stopped" = 0 ] || log "Ceph stopped"
}

status() {
  local name
  for name in "${DAEMONS[@]}"; do alive "$name" && echo "ceph-$name: running (pid $(cat "$(pidfile "$name")"))" || echo "ceph-$name: not running"; done
  if list_buckets_ok; then echo "Ceph RGW: up on 127.0.0.1:$PORT"; else echo "Ceph RGW: down"; return 1; fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: ceph.sh start|stop|status" ;;
esac
