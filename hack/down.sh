#!/usr/bin/env bash
# Stops what hack/up.sh started, by pid, and unregisters the binfmt handler
# it registered (not one that was there before). Keeps .cache (tools,
# images, build cache) for the next run; `rm -rf .cache` forgets everything.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for name in dockerd buildkitd registry; do
  pidf=$RUN/$name.pid
  [ -f "$pidf" ] || continue
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
done
# dockerd leaves its network-namespace bind mounts when stopped this way;
# nothing the daemons mounted may outlive them (it would block rm -rf .cache)
awk -v dir="$CACHE/" 'index($2, dir) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
done
# the qemu-aarch64 binfmt handler, if hack/binfmt.sh registered it
"$ROOT/hack/binfmt.sh" --remove
log "stopped"
