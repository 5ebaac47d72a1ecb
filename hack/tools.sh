#!/usr/bin/env bash
# Installs what the real-BuildKit tests need on a fresh Debian machine:
# runc, busybox-static, the docker.io engine and qemu-user-static from apt;
# buildkitd and buildctl at the BuildKit version pinned in go.mod, the
# distribution registry and docker-buildx built from source into .cache/bin.
# Reuses every piece that is already there. --no-buildx leaves buildx out:
# only the tests use it, not make demo.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

buildx=true
for a in "$@"; do
  case $a in
    --no-buildx) buildx=false ;;
    *) die "unknown flag $a" ;;
  esac
done

apt_pkgs=()
command -v runc >/dev/null || apt_pkgs+=(runc)
# the base images use busybox as their shell; it must be the static build
dpkg -s busybox-static >/dev/null 2>&1 || apt_pkgs+=(busybox-static)
command -v dockerd >/dev/null || apt_pkgs+=(docker.io)
# linux/arm64 images are built and run under QEMU (hack/binfmt.sh)
dpkg -s qemu-user-static >/dev/null 2>&1 || apt_pkgs+=(qemu-user-static)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${apt_pkgs[*]}"
  log "apt-get install ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOGS/apt.log" 2>&1 || { cat "$LOGS/apt.log"; die "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >>"$LOGS/apt.log" 2>&1 || { tail -30 "$LOGS/apt.log"; die "apt-get install failed"; }
fi

# build_from_module MODULE VERSION OUT PKG...: go build PKGs inside a copy of
# the module at VERSION. `go install pkg@version` is refused for modules with
# exclude/replace directives (buildkit has them), so we build in the module's
# own directory, where its go.mod and go.sum are complete.
build_from_module() {
  local ldflags=${LDFLAGS:-} mod=$1 ver=$2 stamp=$BIN/.$(basename "$3").version out=$3; shift 3
  if [ -x "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$mod@$ver $ldflags" ]; then return 0; fi
  log "building $(basename "$out") from $mod@$ver"
  local dir src
  dir=$(cd "$ROOT" && GOFLAGS=-mod=mod go mod download -json "$mod@$ver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || die "go mod download $mod@$ver failed"
  src=$(mktemp -d)
  cp -r "$dir/." "$src/" && chmod -R u+w "$src"
  local pkg
  for pkg in "$@"; do
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$BIN/$(basename "$pkg")" "$pkg") || { rm -rf "$src"; die "go build $pkg failed"; }
  done
  rm -rf "$src"
  echo "$mod@$ver $ldflags" >"$stamp"
}

BUILDKIT_VERSION=$(modversion github.com/moby/buildkit)
REGISTRY_VERSION=${REGISTRY_VERSION:-v3.1.2}
BUILDX_VERSION=${BUILDX_VERSION:-v0.38.2}

LDFLAGS="-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
  build_from_module github.com/moby/buildkit "$BUILDKIT_VERSION" "$BIN/buildkitd" ./cmd/buildkitd ./cmd/buildctl &
p1=$!
build_from_module github.com/distribution/distribution/v3 "$REGISTRY_VERSION" "$BIN/registry" ./cmd/registry &
p2=$!
wait $p1 || die "building buildkit failed"
wait $p2 || die "building the registry failed"
if ! $buildx; then
  log "tools ready: $(buildctl --version | awk '{print $3}'), registry $REGISTRY_VERSION"
  exit 0
fi
# buildx is a docker CLI plugin; it lives with the other tools and the scripts
# point DOCKER_CONFIG's cli-plugins at it.
build_from_module github.com/docker/buildx "$BUILDX_VERSION" "$BIN/buildx" ./cmd/buildx
mkdir -p "$CACHE/docker-config/cli-plugins"
ln -sf "$BIN/buildx" "$CACHE/docker-config/cli-plugins/docker-buildx"
log "tools ready: $(buildctl --version | awk '{print $3}'), registry $REGISTRY_VERSION, buildx $BUILDX_VERSION"
