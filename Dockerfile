# The Stagefile frontend image. A Stagefile's "# syntax=" line names it;
# BuildKit pulls it and runs /bin/stagefile as the gateway frontend.
# make demo replaces the build stage by name with the same binary built on
# the host (named context context:build=local:..., hack/frontend-image.sh);
# make test builds this whole file.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS TARGETARCH VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w -X main.version=$VERSION" \
      -o /out/stagefile ./cmd/stagefile

FROM scratch
COPY --from=build /out/stagefile /bin/stagefile
# network.none: the frontend only talks to BuildKit. caps: named contexts
# (--build-context), frontend inputs and subrequests (--call targets).
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts" \
      org.opencontainers.image.title="Stagefile" \
      org.opencontainers.image.description="BuildKit frontend: tested, minimal application images from a declarative Stagefile"
ENTRYPOINT ["/bin/stagefile"]
