#!/usr/bin/env bash
# Test-only: lets this machine run linux/arm64 programs under QEMU user
# emulation, so the harness can build and run arm64 images (RUN steps of a
# `--opt platform=linux/amd64,linux/arm64` build, `docker run --platform
# linux/arm64`). Users' machines do this their own way (Docker Desktop,
# tonistiigi/binfmt, a native arm64 host); the frontend knows nothing of it.
#
#   hack/binfmt.sh           register the aarch64 handler (hack/up.sh runs it)
#   hack/binfmt.sh --remove  unregister it, only if this script registered it
#                            (hack/down.sh runs it)
#
# The handler is Debian's qemu-user-static entry, /usr/lib/binfmt.d/qemu-aarch64.conf.
# Its F flag makes the kernel open the interpreter at registration, so it
# works inside build containers and chroots that have no QEMU of their own.
# binfmt_misc is one table for the whole kernel: what we register is seen by
# every daemon on the machine, so we record that we did it
# ($RUN/binfmt-qemu-aarch64.ours) and leave alone a handler someone else
# registered. Idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BINFMT=/proc/sys/fs/binfmt_misc
CONF=/usr/lib/binfmt.d/qemu-aarch64.conf
OURS=$RUN/binfmt-qemu-aarch64.ours
MOUNTED=$RUN/binfmt-misc-mounted.ours

if [ "${1:-}" = --remove ]; then
  if [ -f "$OURS" ] && [ -e "$BINFMT/qemu-aarch64" ]; then
    echo -1 >"$BINFMT/qemu-aarch64"
    log "unregistered the qemu-aarch64 binfmt handler"
  fi
  rm -f "$OURS"
  # unmount binfmt_misc only if we mounted it and nothing else is registered
  if [ -f "$MOUNTED" ] && [ -z "$(ls "$BINFMT" 2>/dev/null | grep -vxE 'register|status')" ]; then
    umount "$BINFMT" 2>/dev/null || true
  fi
  rm -f "$MOUNTED"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "registering a binfmt handler needs root"
[ -f "$CONF" ] || die "$CONF is missing: apt-get install qemu-user-static (hack/tools.sh does)"
if [ ! -e "$BINFMT/register" ]; then
  mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc on $BINFMT"
  touch "$MOUNTED"
fi
if [ ! -e "$BINFMT/qemu-aarch64" ]; then
  line=$(grep -v '^#' "$CONF" | grep . | head -1)
  echo "$line" >"$BINFMT/register" || die "registering $CONF failed"
  touch "$OURS"
  log "registered the qemu-aarch64 binfmt handler (linux/arm64 under QEMU; hack/down.sh removes it)"
fi
[ "$(head -1 "$BINFMT/qemu-aarch64")" = enabled ] || die "the qemu-aarch64 binfmt handler is disabled"
