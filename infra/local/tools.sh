#!/usr/bin/env bash
# The conversion and characterization tools the workers call, from Debian's packages:
# LibreOffice (headless, driven over UNO from Debian's python3-uno), Ghostscript, ffmpeg, CJK fonts
# so Chinese documents render, Perl for ExifTool, Chromium for the console's browser tests, and
# ClamAV (clamd, clamdscan, sigtool) for the virus check; clamav.sh starts a clamd on the project's
# own signature database (freshclam needs the internet).
# Installs only what is missing.
source "$(dirname "$0")/lib.sh"
apt_install \
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui python3-uno \
  ghostscript ffmpeg fonts-noto-cjk perl chromium clamav clamav-daemon
log "conversion tools present: $(soffice --version 2>/dev/null | head -n 1); Ghostscript $(gs --version); $(ffmpeg -version | head -n 1 | cut -d' ' -f1-3)"
