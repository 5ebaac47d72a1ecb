package golang

import (
	"errors"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

const goMod = "module example.com/shop\n\ngo 1.26\n\nrequire github.com/go-chi/chi/v5 v5.5.0\n"

const goSum = `github.com/go-chi/chi/v5 v5.5.0 h1:xdKQ1dJmVJsmgahrXSKhUx8NyVPzpwdlyrrQFpMPJgg=
github.com/go-chi/chi/v5 v5.5.0/go.mod h1:d1IG7GtKPSjPyBP365PH8sAGVHk3qfB/IhjFNRH1wWM=
`

// distroless is what the frontend reads of the default runtime image.
func distroless(ref string) (*plan.ImageInfo, error) {
	img := &plan.ImageInfo{Config: &dockerspec.DockerOCIImage{}}
	if strings.Contains(ref, "distroless") {
		img.Config.Config.User = "65532"
	}
	if strings.HasPrefix(ref, "golang:") {
		img.Config.Config.Env = []string{"GOLANG_VERSION=" + strings.TrimSuffix(strings.TrimPrefix(ref, "golang:"), "-bookworm") + ".2"}
	}
	return img, nil
}

func fill(t *testing.T, stagefile string, files map[string]string) (*plan.Plan, []*plan.Warning, error) {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte("version: 1\npreset: go\n"+stagefile))
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: map[string]plan.Provider{"go": Provider{}},
		ReadFiles: func(names []string) (map[string][]byte, error) {
			out := map[string][]byte{}
			for n, dt := range files {
				for _, pattern := range names {
					if ok, _ := pathMatch(pattern, n); ok {
						out[n] = []byte(dt)
					}
				}
			}
			return out, nil
		},
		Image: distroless,
	}
	return r.Resolve(s)
}

func script(c *plan.Command) string {
	if c == nil {
		return ""
	}
	return c.Script()
}

func cmdModule() map[string]string {
	return map[string]string{"go.mod": goMod, "go.sum": goSum,
		"cmd/shop/main.go":      "// Command shop serves the shop.\npackage main\n\nfunc main() {}\n",
		"cmd/shop/main_test.go": "package main\n", "internal/api/api.go": "package api\n",
		"gen.go": "//go:build ignore\n\npackage main\n", "doc.go": "// Package shop is a shop.\npackage shop\n"}
}

func TestCmdModule(t *testing.T) {
	p, warnings, err := fill(t, "", cmdModule())
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0))
	assert.Check(t, is.Equal(p.Image.Value, "golang:1.26-bookworm"))
	assert.Check(t, is.Equal(p.Image.Origin.String(), "preset go: the Go of go.mod go 1.26"))
	d := p.Dependencies
	assert.Check(t, is.DeepEqual(plan.Values(d.Manifests), []string{"go.mod", "go.sum"}))
	assert.Check(t, is.Equal(script(d.Production), "go mod download"))
	assert.Check(t, d.Development == nil, "Go has no development dependencies")
	assert.Check(t, is.Equal(d.Caches[0].Path.Value, "/go/pkg/mod"))
	for _, v := range []string{"GOMODCACHE=/go/pkg/mod", "GOCACHE=/root/.cache/go-build", "CGO_ENABLED=0"} {
		name, value, _ := strings.Cut(v, "=")
		got, _ := plan.Lookup(p.Env, name)
		assert.Check(t, is.Equal(got.Value, value))
	}
	assert.Check(t, is.Equal(script(p.Test.Run), "go vet ./... && go test ./..."))
	assert.Check(t, is.Len(p.Test.Caches, 2))
	assert.Check(t, is.Equal(script(p.Build.Run), "go build -trimpath '-ldflags=-s -w' -o bin/shop ./cmd/shop"))
	assert.Check(t, is.Equal(p.Build.Run.Origin.String(), "preset go: cmd/shop is the module's one main package"))
	assert.Check(t, is.Len(p.Build.Caches, 2))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"bin/shop"}))
	r := p.Release
	assert.Check(t, is.Equal(r.Image.Value, "gcr.io/distroless/static-debian12:nonroot"))
	assert.Check(t, r.NoDependencies.Value, "the binary alone ships")
	assert.Check(t, !p.HasDependencyLayer())
	assert.Check(t, is.DeepEqual(r.Entrypoint.Value, []string{"/app/bin/shop"}))
	assert.Check(t, is.Equal(r.User.Value, "65532"))
}

func TestRootMain(t *testing.T) {
	files := map[string]string{"go.mod": "module github.com/acme/tool/v2\n\ngo 1.25.3\n\ntoolchain go1.26.1\n", "main.go": "package main\n", "util.go": "package main\n"}
	p, _, err := fill(t, "", files)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "golang:1.26-bookworm"))
	assert.Check(t, is.Equal(p.Image.Origin.String(), "preset go: the Go of go.mod toolchain go1.26.1"))
	assert.Check(t, is.Equal(script(p.Build.Run), "go build -trimpath '-ldflags=-s -w' -o bin/tool ."))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value, []string{"/app/bin/tool"}))
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"go.mod"}), "no requirements, no go.sum")
}

// TestScratch: on scratch the release gets the build image's CA bundle
// and a numeric user.
func TestScratch(t *testing.T) {
	p, _, err := fill(t, "release:\n  image: scratch\n", cmdModule())
	assert.NilError(t, err)
	assert.Check(t, is.Equal(script(p.Build.Run), "go build -trimpath '-ldflags=-s -w' -o bin/shop ./cmd/shop && mkdir -p etc && cp /etc/ssl/certs/ca-certificates.crt etc/ca-certificates.crt"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"bin/shop", "etc/ca-certificates.crt"}))
	v, _ := plan.Lookup(p.Release.Env, "SSL_CERT_FILE")
	assert.Check(t, is.Equal(v.Value, "/app/etc/ca-certificates.crt"))
	assert.Check(t, is.Equal(p.Release.User.Value, "65532:65532"))
}

func TestWorkspace(t *testing.T) {
	files := map[string]string{
		"go.work":                  "go 1.26\n\nuse (\n\t./services/api\n\t./libs/money\n)\n",
		"go.work.sum":              "",
		"services/api/go.mod":      goMod,
		"services/api/go.sum":      goSum,
		"services/api/main.go":     "package main\n",
		"libs/money/go.mod":        "module example.com/money\n\ngo 1.26\n",
		"libs/money/money.go":      "package money\n",
		"services/web/go.mod":      "module example.com/web\n\ngo 1.26\n",
		"services/web/cmd/x/x.go":  "package main\n",
		"services/api/cmd/y/y.go":  "package main\n",
		"services/api/cmd/y/z.txt": "",
	}
	p, _, err := fill(t, "app: services/api\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"go.work", "go.work.sum", "services/api/go.mod", "services/api/go.sum", "libs/money/go.mod"}))
	assert.Check(t, is.Equal(script(p.Dependencies.Production), "go mod download"))
	assert.Check(t, is.Equal(script(p.Build.Run), "go build -trimpath '-ldflags=-s -w' -o bin/shop ."), "the module's root wins over cmd/y")
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"services/api/bin/shop"}))
	assert.Check(t, is.DeepEqual(p.Release.Entrypoint.Value, []string{"/app/services/api/bin/shop"}))

	_, _, err = fill(t, "", files)
	assert.Check(t, is.ErrorContains(err, "Stagefile:2:9: go.work is at the root, but no module is (set app to the module to release, e.g. app: services/api)"))
}

// TestModuleInAFolder: a module in a folder of the context, without a
// workspace, downloads there.
func TestModuleInAFolder(t *testing.T) {
	files := map[string]string{"backend/go.mod": goMod, "backend/go.sum": goSum, "backend/cmd/shop/main.go": "package main\n"}
	p, _, err := fill(t, "app: backend\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plan.Values(p.Dependencies.Manifests), []string{"backend/go.mod", "backend/go.sum"}))
	assert.Check(t, is.Equal(script(p.Dependencies.Production), "cd backend && go mod download"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"backend/bin/shop"}))
}

// TestUserWins: what the Stagefile says stays; with build and entrypoint
// written, the main package is not needed and not looked for.
func TestUserWins(t *testing.T) {
	files := cmdModule()
	files["cmd/worker/main.go"] = "package main\n" // two programs: ambiguous for the preset
	p, _, err := fill(t, `image: golang:1.26-alpine
env: {CGO_ENABLED: "1"}
build:
  run: go build -o bin/worker ./cmd/worker
  outputs: [bin/worker]
release:
  image: alpine:3.20
  entrypoint: [/app/bin/worker]
  user: "1000"
  dependencies: true
`, files)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "golang:1.26-alpine"))
	v, _ := plan.Lookup(p.Env, "CGO_ENABLED")
	assert.Check(t, is.Equal(v.Value, "1"))
	assert.Check(t, is.Equal(script(p.Build.Run), "go build -o bin/worker ./cmd/worker"))
	assert.Check(t, is.Equal(p.Release.User.Value, "1000"))
	assert.Check(t, !p.Release.NoDependencies.Value)
	assert.Check(t, is.Equal(script(p.Test.Run), "go vet ./... && go test ./..."), "unwritten fields still come from the preset")
}

// TestHostileNames: a folder name reaches the shell quoted; a main
// package folder that is no file name is refused.
func TestHostileNames(t *testing.T) {
	files := map[string]string{"go.mod": "module x\n\ngo 1.26\n", "cmd/a;b/main.go": "package main\n"}
	_, _, err := fill(t, "", files)
	assert.Check(t, is.ErrorContains(err, `the main package's folder "cmd/a;b" is not a file name a binary can have`))

	files = map[string]string{"$(id) x/go.mod": "module x\n\ngo 1.26\n", "$(id) x/main.go": "package main\n"}
	p, _, err := fill(t, "app: \"$(id) x\"\n", files)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(script(p.Dependencies.Production), "cd '$(id) x' && go mod download"))
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		msg   string
	}{
		{"no go.mod", map[string]string{"main.go": "package main\n"}, "preset go needs a go.mod at the root of the build context"},
		{"bad go.mod", map[string]string{"go.mod": "module x\nrequire (\n"}, "go.mod is not a module file go can read"},
		{"no module line", map[string]string{"go.mod": "go 1.26\n"}, "go.mod has no module line (run go mod init)"},
		{"no go.sum", map[string]string{"go.mod": goMod, "main.go": "package main\n"}, "go.mod requires modules but there is no go.sum (run go mod tidy and commit go.sum"},
		{"go.sum out of sync", map[string]string{"go.mod": goMod + "require golang.org/x/text v0.30.0\n", "go.sum": goSum, "main.go": "package main\n"},
			"go.sum is out of sync with go.mod: it has no checksum for golang.org/x/text@v0.30.0 (run go mod tidy and commit go.sum)"},
		{"no main", map[string]string{"go.mod": "module x\n\ngo 1.26\n", "x.go": "package x\n"}, "no main package: neither the module's root nor a cmd/NAME folder is package main"},
		{"two mains", map[string]string{"go.mod": "module x\n\ngo 1.26\n", "cmd/api/main.go": "package main\n", "cmd/worker/main.go": "package main\n"},
			"several main packages (cmd/api, cmd/worker): preset go releases one (write build.run, e.g. CGO_ENABLED=0 go build -trimpath -o bin/api ./cmd/api"},
		{"no go line", map[string]string{"go.mod": "module x\n", "main.go": "package main\n"}, "go.mod has no go line"},
		{"bad go.work", map[string]string{"go.work": "use (\n", "go.mod": "module x\n"}, "go.work is not a workspace file go can read"},
		{"go.work outside", map[string]string{"go.work": "go 1.26\nuse ../lib\n", "go.mod": "module x\n"}, "go.work uses ../lib, outside the build context"},
		{"go.mod with a BOM", map[string]string{"go.mod": "\ufeff" + goMod, "go.sum": goSum, "main.go": "package main\n"},
			"go.mod is UTF-8 with a byte order mark (EF BB BF), which go reads as a character and rejects (save it without the byte order mark)"},
		{"go.sum with a BOM", map[string]string{"go.mod": goMod, "go.sum": "\ufeff" + goSum, "main.go": "package main\n"},
			"go.sum is UTF-8 with a byte order mark (EF BB BF), which go reads as a character"},
		{"UTF-16 go.mod", map[string]string{"go.mod": "\xff\xfem\x00o\x00", "main.go": "package main\n"},
			"go.mod is UTF-16 LE (it starts with the byte order mark FF FE), which go cannot read (save it as UTF-8)"},
		{"a Go file that is not UTF-8", map[string]string{"go.mod": "module x\n\ngo 1.26\n", "main.go": "package main\n// caf\xe9\n"},
			"main.go is not valid UTF-8: the byte 0xE9 on line 2 is no UTF-8 character, so go could not read it either (save it as UTF-8)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fill(t, "", tc.files)
			assert.Assert(t, err != nil)
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			assert.Check(t, is.Contains(err.Error(), "Stagefile:2:9: "), "points at the preset line")
			var list spec.Errors
			assert.Check(t, errors.As(err, &list))
		})
	}
}

// TestOddFiles: CRLF line ends in go.mod and go.sum, and a byte order mark
// before a Go file's package clause, are read as go reads them.
func TestOddFiles(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	p, _, err := fill(t, "", map[string]string{"go.mod": crlf(goMod), "go.sum": crlf(goSum), "main.go": "\ufeffpackage main\r\n"})
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "golang:1.26-bookworm"))
	assert.Check(t, p.Release.Entrypoint.Set())
}

// TestToolPins: .tool-versions and mise.toml pin the Go like go.mod's
// go line; one older than the go line would not build.
func TestToolPins(t *testing.T) {
	with := func(name, dt string) map[string]string {
		files := cmdModule()
		files[name] = dt
		return files
	}
	p, _, err := fill(t, "", with(".tool-versions", "nodejs 20.11.0\ngolang 1.27.1\n"))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Value, "golang:1.27-bookworm"))
	assert.Check(t, is.Equal(p.Image.Origin.String(), "preset go: .tool-versions golang 1.27.1"))
	p, _, err = fill(t, "", with("mise.toml", "[tools]\ngo = \"1.26\"\n"))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Origin.String(), "preset go: mise.toml [tools] go 1.26"))
	_, _, err = fill(t, "", with(".tool-versions", "golang 1.25.3\n"))
	assert.Check(t, is.ErrorContains(err, "Stagefile:2:9: .tool-versions golang 1.25.3 pins Go 1.25, older than the go line of go.mod or go.work (1.26): the official images do not download a newer toolchain (GOTOOLCHAIN=local), so the build would fail (pin 1.26 or newer, or write image:)"))
	_, _, err = fill(t, "", with(".tool-versions", "golang one\n"))
	assert.Check(t, is.ErrorContains(err, ".tool-versions golang one is not a Go version"))
	// without a pin, go.mod's line
	p, _, err = fill(t, "", with(".tool-versions", "golang system\n"))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Image.Origin.String(), "preset go: the Go of go.mod go 1.26"))
}

// TestGoVersionMismatch: a written build image older than the go line is
// a warning at the image line.
func TestGoVersionMismatch(t *testing.T) {
	_, warnings, err := fill(t, "image: golang:1.24-bookworm\n", cmdModule())
	assert.NilError(t, err)
	assert.Assert(t, is.Len(warnings, 1))
	assert.Check(t, is.Equal(warnings[0].Error(), "Stagefile:3:8: golang:1.24-bookworm has Go 1.24.2, but the module needs Go 1.26 (go line of go.mod or go.work); the official images do not download a newer toolchain (GOTOOLCHAIN=local) (e.g. golang:1.26-bookworm) [GoVersionMismatch]"))
	_, warnings, err = fill(t, "image: golang:1.27-bookworm\n", cmdModule())
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0), "a newer Go builds older modules")
}
