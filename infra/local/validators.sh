#!/usr/bin/env bash
# Independent validators the tests use: gov.loc bagit-java (+ BouncyCastle for SM3), veraPDF and the
# JDK's XML parser, driven by infra/local/validators/Validate.java. Jars are resolved from Maven
# Central into $OA_HOME/validators/libs; nothing is vendored. Idempotent: the jars are resolved again
# only when missing or when validators/pom.xml changed since they were.
#   validators.sh                 resolve the jars, nothing else
#   validators.sh bag <dir>       validate a BagIt bag           → {"valid":…}        exit 0/1
#   validators.sh pdfa <file>     validate a PDF/A file          → {"compliant":…}    exit 0/1 (2: could not)
#   validators.sh xml <file>      check XML well-formedness      → {"wellFormed":…}   exit 0/1
source "$(dirname "$0")/lib.sh"

VALIDATORS_DIR="$REPO_ROOT/infra/local/validators"
POM="$VALIDATORS_DIR/pom.xml"
LIBS="$OA_HOME/validators/libs"
POM_SUM="$LIBS/pom.sha256"

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

resolve_jars() {
  local want
  want=$(pom_sum)
  [ -d "$LIBS" ] && [ -f "$POM_SUM" ] && [ "$(cat "$POM_SUM")" = "$want" ] && return 0
  ensure_maven
  log "resolving validator jars from Maven Central ($POM)"
  rm -rf "$LIBS.partial"
  # Maven's output goes to stderr: stdout carries the validator's one JSON line only.
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS.partial" -DincludeScope=runtime >&2
  echo "$want" >"$LIBS.partial/pom.sha256"
  rm -rf "$LIBS.old"
  [ -d "$LIBS" ] && mv "$LIBS" "$LIBS.old"
  mv "$LIBS.partial" "$LIBS"
  rm -rf "$LIBS.old"
}

# Concurrent test workers may call this at once: one resolves, the others wait for it.
mkdir -p "$OA_HOME/validators"
exec 9>"$OA_HOME/validators/.lock"
flock 9
resolve_jars
flock -u 9

[ $# -eq 0 ] && exit 0
[ $# -eq 2 ] || die "usage: validators.sh [bag <dir> | pdfa <file> | xml <file>]"
case "$1" in
  bag | pdfa | xml) ;;
  *) die "usage: validators.sh [bag <dir> | pdfa <file> | xml <file>]" ;;
esac
# C1 only and the serial GC keep start-up short; the source launcher compiles Validate.java in memory.
exec java -Xss4m -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 \
  "-Dvalidators.dir=$VALIDATORS_DIR" -cp "$LIBS/*" "$VALIDATORS_DIR/Validate.java" "$1" "$2"
