#!/usr/bin/env bash
# Independent validators the tests use: gov.loc bagit-java (+ BouncyCastle for SM3), veraPDF and the
# JDK's XML parser, driven by infra/local/validators/Validate.java. Jars are resolved from Maven
# Central into $OA_HOME/validators/libs; nothing is vendored. Idempotent: the jars are resolved again
# only when missing or when validators/pom.xml changed since they were.
#   validators.sh                 resolve the jars, nothing else
#   validators.sh bag <dir>       validate a BagIt bag           → {"valid":…}        exit 0/1
#   validators.sh pdfa <file>     validate a PDF/A file          → {"compliant":…}    exit 0/1 (2: could not)
#   validators.sh xml <file>      check XML well-formedness      → {"wellFormed":…}   exit 0/1
#   validators.sh pdfa-server     run veraPDF warm (PdfaServer.java): one file per stdin line, one JSON line each
#   validators.sh classpath       print the classpath the worker's VERAPDF_CLASSPATH defaults to
# Resolving also compiles PdfaServer.java with the installed JDK's javac into $OA_HOME/validators/classes
# (again only when the source or the jars changed): the validate stage keeps it running (VERAPDF_MODE).
source "$(dirname "$0")/lib.sh"
# Bags hold files named 01-关于….pdf: under the POSIX locale (a caller without LANG) Java cannot map
# such names to paths, and every bag would read as incomplete.
export LC_ALL=C.UTF-8

VALIDATORS_DIR="$REPO_ROOT/infra/local/validators"
POM="$VALIDATORS_DIR/pom.xml"
LIBS="$OA_HOME/validators/libs"
POM_SUM="$LIBS/pom.sha256"

CLASSES="$OA_HOME/validators/classes"
SERVER_SUM="$CLASSES/source.sha256"

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }
server_sum() { cat "$VALIDATORS_DIR/PdfaServer.java" "$POM_SUM" | sha256sum | cut -d' ' -f1; }

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

compile_server() {
  local want
  want=$(server_sum)
  [ -f "$CLASSES/PdfaServer.class" ] && [ -f "$SERVER_SUM" ] && [ "$(cat "$SERVER_SUM")" = "$want" ] && return 0
  command -v javac >/dev/null || die "javac not found: install a JDK (Debian: openjdk-17-jdk-headless)"
  log "compiling PdfaServer.java into $CLASSES"
  rm -rf "$CLASSES.partial"
  mkdir -p "$CLASSES.partial"
  javac -nowarn -encoding UTF-8 -d "$CLASSES.partial" -cp "$LIBS/*" "$VALIDATORS_DIR/PdfaServer.java" >&2
  echo "$want" >"$CLASSES.partial/source.sha256"
  rm -rf "$CLASSES.old"
  [ -d "$CLASSES" ] && mv "$CLASSES" "$CLASSES.old"
  mv "$CLASSES.partial" "$CLASSES"
  rm -rf "$CLASSES.old"
}

# Concurrent test workers may call this at once: one resolves, the others wait for it.
mkdir -p "$OA_HOME/validators"
exec 9>"$OA_HOME/validators/.lock"
flock 9
resolve_jars
compile_server
flock -u 9

[ $# -eq 0 ] && exit 0
case "$1" in
  classpath)
    echo "$LIBS/*:$CLASSES"
    exit 0
    ;;
  # Full tiered compilation here, unlike the one-shot commands: it runs long, so steady-state speed counts.
  pdfa-server) exec java -Xss4m -Xmx512m -XX:+UseSerialGC -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8 -cp "$LIBS/*:$CLASSES" PdfaServer ;;
esac
[ $# -eq 2 ] || die "usage: validators.sh [bag <dir> | pdfa <file> | xml <file>]"
case "$1" in
  bag | pdfa | xml) ;;
  *) die "usage: validators.sh [bag <dir> | pdfa <file> | xml <file>]" ;;
esac
# C1 only and the serial GC keep start-up short; the source launcher compiles Validate.java in memory.
exec java -Xss4m -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8 -Dstdout.encoding=UTF-8 \
  "-Dvalidators.dir=$VALIDATORS_DIR" -cp "$LIBS/*" "$VALIDATORS_DIR/Validate.java" "$1" "$2"
