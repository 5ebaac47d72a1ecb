#!/usr/bin/env bash
# Assembles the base images the examples and the frontend Dockerfile name,
# without any public registry, and pushes them to the local registry under
# their docker.io names (library/node:20-bookworm-slim, ...), which
# buildkitd and dockerd reach through the docker.io mirror.
#
# They are made from this machine's own files: busybox-static for a shell,
# the host's Node.js 20 with its shared libraries, headers, npm and corepack,
# a debootstrapped Debian with compilers for the full node image, the Go
# toolchain in /usr/local/go.
#
# Three settings are properties of this sandbox, not of users' machines, so
# they live here and not in the frontend: outbound TLS is re-signed by a
# sandbox CA (the images carry the host bundle and point Node at it);
# nodejs.org is unreachable (node-gyp uses the headers in the image:
# npm_config_nodedir); repo.yarnpkg.com is unreachable (corepack fetches yarn
# from the npm registry: COREPACK_NPM_REGISTRY); the registry proxy strips
# the packages' dist.signatures, which corepack verifies for pnpm
# (COREPACK_INTEGRITY_KEYS=0; users' machines see the real signatures).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CA=/etc/ssl/certs/ca-certificates.crt
recipe=$(cat "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)

have_image() { # REPO TAG
  [ "$(cat "$CACHE/images/${1//\//_}_$2.stamp" 2>/dev/null)" = "$recipe" ] &&
    curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY_ADDR/v2/$1/manifests/$2"
}

# build_push REPO TAG DIR: build DIR/Dockerfile (context DIR) and push it.
build_push() {
  log "building base image docker.io/$1:$2"
  buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
    --frontend dockerfile.v0 --local context="$3" --local dockerfile="$3" \
    --output "type=image,name=$REGISTRY_ADDR/$1:$2,push=true,registry.insecure=true" \
    >"$LOGS/image-${1//\//_}-$2.log" 2>&1 || { tail -40 "$LOGS/image-${1//\//_}-$2.log"; die "building $1:$2 failed"; }
  mkdir -p "$CACHE/images"
  echo "$recipe" >"$CACHE/images/${1//\//_}_$2.stamp"
}

# base_rootfs DIR: busybox as /bin/sh and friends, users, CA bundle, /tmp.
base_rootfs() {
  local r=$1 a
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/ssl/certs,tmp,root,home/node,lib64,lib/x86_64-linux-gnu}
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
  ln -sf ../../bin/busybox "$r/usr/bin/env"
  chmod 1777 "$r/tmp"
  cp "$CA" "$r/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$r/etc/group"
  chown 1000:1000 "$r/home/node"
  echo 'hosts: files dns' >"$r/etc/nsswitch.conf"
}

# copy_libs DIR BINARY: the binary's shared libraries, plus the whole glibc
# set (native addons such as jest's resolver load librt and friends).
copy_libs() {
  local r=$1 f
  for f in $(ldd "$2" | grep -o '/[^ ]*'); do cp -L "$f" "$r$f" 2>/dev/null || { mkdir -p "$r$(dirname "$f")"; cp -L "$f" "$r$f"; }; done
  for f in /lib/x86_64-linux-gnu/{libc,libm,libdl,librt,libpthread,libresolv,libutil,libnss_files,libnss_dns,libgcc_s,libstdc++}.so*; do
    [ -e "$f" ] && cp -L "$f" "$r/lib/x86_64-linux-gnu/"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
}

# node_files DIR [headers]: Node.js, npm, corepack and, for images that
# compile native addons, the headers, where the official images have them.
node_files() {
  local r=$1
  cp /usr/bin/node "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/lib/node_modules" "$r/usr/local/include"
  cp -r /usr/lib/node_modules/npm /usr/lib/node_modules/corepack "$r/usr/local/lib/node_modules/"
  [ "${2:-}" != headers ] || cp -r /usr/include/node "$r/usr/local/include/node"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  ln -sf ../lib/node_modules/corepack/dist/corepack.js "$r/usr/local/bin/corepack"
}

# node_dockerfile DIR: the image config the official node images have, plus
# this sandbox's settings; yarn classic as the official images ship it.
node_dockerfile() {
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    NODE_VERSION=$NODE_VERSION YARN_VERSION=1.22.22 \\
    NODE_EXTRA_CA_CERTS=$CA SSL_CERT_FILE=$CA \\
    npm_config_nodedir=/usr/local COREPACK_NPM_REGISTRY=https://registry.npmjs.org COREPACK_INTEGRITY_KEYS=0
RUN npm install -g --no-audit --no-fund yarn@1.22.22 && rm -rf /root/.npm /tmp/*
CMD ["node"]
DOCKERFILE
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
NODE_VERSION=$(node --version | tr -d v)

# --- node:20-bookworm-slim -------------------------------------------------
if ! have_image library/node 20-bookworm-slim; then
  [ "${NODE_VERSION%%.*}" = 20 ] || die "host Node.js is $NODE_VERSION; the images need Node.js 20"
  d=$work/node; r=$d/rootfs
  base_rootfs "$r"
  copy_libs "$r" /usr/bin/node
  node_files "$r"
  node_dockerfile "$d"
  build_push library/node 20-bookworm-slim "$d"
fi

# --- node:20-bookworm (full: python3, make, g++ for native addons) ---------
if ! have_image library/node 20-bookworm; then
  [ "${NODE_VERSION%%.*}" = 20 ] || die "host Node.js is $NODE_VERSION; the images need Node.js 20"
  d=$work/node-full; r=$d/rootfs
  deb=$CACHE/debootstrap/bookworm-build.tar
  if [ ! -f "$deb" ]; then
    command -v debootstrap >/dev/null || { log "apt-get install debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$LOGS/apt.log" 2>&1; }
    log "debootstrap bookworm with python3, make, g++ (about a minute)"
    mkdir -p "$CACHE/debootstrap" "$work/deb"
    debootstrap --variant=minbase --include=python3,make,g++ bookworm "$work/deb" http://deb.debian.org/debian \
      >"$LOGS/debootstrap.log" 2>&1 || { umount -R "$work/deb/proc" "$work/deb/sys" 2>/dev/null; tail -20 "$LOGS/debootstrap.log"; die "debootstrap failed"; }
    for m in proc sys dev/pts dev; do umount -R "$work/deb/$m" 2>/dev/null || true; done
    rm -rf "$work/deb"/var/cache/apt/archives/*.deb "$work/deb"/var/lib/apt/lists/* "$work/deb"/usr/share/{doc,man,info} "$work/deb"/dev/* "$work/deb"/proc/* "$work/deb"/sys/*
    tar -C "$work/deb" -cf "$deb" .
    rm -rf "$work/deb"
  fi
  mkdir -p "$r" && tar -C "$r" -xf "$deb"
  mkdir -p "$r/etc/ssl/certs" && cp "$CA" "$r/etc/ssl/certs/ca-certificates.crt"
  grep -q '^node:' "$r/etc/passwd" || { echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$r/etc/passwd"; echo 'node:x:1000:' >>"$r/etc/group"; }
  mkdir -p "$r/home/node" && chown 1000:1000 "$r/home/node"
  # bookworm's own libraries (glibc, libstdc++) serve node: no host files
  # are copied into this rootfs, whose absolute symlinks point at the host
  mkdir -p "$r/usr/local/bin"
  node_files "$r" headers
  node_dockerfile "$d"
  build_push library/node 20-bookworm "$d"
fi

# --- golang:1.26-bookworm (the frontend Dockerfile's build stage) ----------
GO_TAG=$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')-bookworm
if ! have_image library/golang "$GO_TAG"; then
  d=$work/go; r=$d/rootfs
  base_rootfs "$r"
  mkdir -p "$r/usr/local/go" "$r/go"
  (cd /usr/local/go && tar --exclude=./test --exclude=./api --exclude=./doc -cf - .) | tar -C "$r/usr/local/go" -xf -
  cat >"$d/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOPATH=/go GOTOOLCHAIN=local SSL_CERT_FILE=$CA
WORKDIR /go
DOCKERFILE
  build_push library/golang "$GO_TAG" "$d"
fi
log "base images ready"
