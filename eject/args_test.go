package eject

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

const argsStagefile = `version: 1
image: node:20-bookworm-slim
args:
  APP_VERSION: 0.0.0-dev
  API_URL:
    default: https://api.example.com
    description: the API the bundle calls
env:
  VITE_API_URL: "${API_URL}/v1"
  ARCH: "${TARGETARCH}"
  LIT: "$${HOME}, $$5 and $HOME"
dependencies:
  manifests: [package.json]
  production: npm ci --omit=dev
  development: npm ci --arch=$TARGETARCH
test:
  run: npm test
build:
  run: npm run build && echo "$APP_VERSION" > dist/VERSION
  outputs: [dist/*]
release:
  labels:
    org.opencontainers.image.version: "${APP_VERSION}"
    arch: "${TARGETARCH}"
  env:
    VERSION: "v${APP_VERSION}"
  cmd: [dist/server.js]
`

func resolveArgs(t *testing.T, args map[string]string) *plan.Plan {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte(argsStagefile))
	assert.NilError(t, err)
	p, _, err := plan.Resolver{BuildArgs: args}.Resolve(s)
	assert.NilError(t, err)
	return p
}

// TestArgs: the ejected file, built with a --build-arg, gives the same
// env, labels and step environments as the Stagefile built with it:
// ${NAME} of an arg stays a reference (ARG), $${...} and $$ stay text,
// the predefined ${TARGETARCH} is the platform's.
func TestArgs(t *testing.T) {
	res, err := Write(resolveArgs(t, nil), Options{Platform: amd64, BuildPlatform: amd64})
	assert.NilError(t, err)
	df := string(res.Dockerfile)
	assert.Check(t, is.Contains(df, "# API_URL the API the bundle calls (Stagefile line 5:3)\nARG API_URL=https://api.example.com\n"), "the description is the ARG's, for --call outline")
	assert.Check(t, is.Contains(df, `ENV LIT="\${HOME}, \$5 and \$HOME"`))
	var notes []string
	for _, n := range res.Notes {
		notes = append(notes, n.Msg)
	}
	assert.Check(t, is.Contains(strings.Join(notes, "\n"), "the Stagefile reads build arg APP_VERSION only where it is used"))

	args := map[string]string{"APP_VERSION": "1.2.3"}
	want := resolveArgs(t, args)
	d, err := convertDockerfile(t, res.Dockerfile, llb.TargetRelease, args)
	assert.NilError(t, err)
	g := converted(t, want)
	wantImg, gotImg := g.Targets[llb.TargetRelease].Image.Config, d.res.Image.Config
	assert.Check(t, is.DeepEqual(gotImg.Env, wantImg.Env))
	assert.Check(t, is.DeepEqual(gotImg.Labels, wantImg.Labels))
	assert.Check(t, is.Equal(gotImg.Labels["org.opencontainers.image.version"], "1.2.3"))
	assert.Check(t, is.Equal(gotImg.Labels["arch"], "amd64"))

	// each step's environment holds what the converter's does; the
	// Dockerfile's ARGs add the args to later steps too (a note says so)
	wantSteps := steps(t, marshal(t, g.Targets[llb.TargetRelease].State), func(id string) string { return id }, func(string) bool { return false })
	gotSteps := steps(t, d.def, func(id string) string { return strings.TrimPrefix(id, "/") }, func(string) bool { return false })
	assert.Assert(t, is.Len(gotSteps, len(wantSteps)))
	for i := range wantSteps {
		assert.Check(t, is.DeepEqual(gotSteps[i].Args, wantSteps[i].Args))
		for _, e := range wantSteps[i].Env {
			assert.Check(t, is.Contains(gotSteps[i].Env, e), "%q", wantSteps[i].Args)
		}
	}
	assert.Check(t, is.Contains(strings.Join(gotSteps[0].Env, " "), "VITE_API_URL=https://api.example.com/v1"))
}
