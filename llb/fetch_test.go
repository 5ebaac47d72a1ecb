package llb

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

func withFetch(t *testing.T, n int) *plan.Plan {
	s := parse(t, "yarn.yaml")
	f := &plan.Fetch{Command: []string{"node", "-e", "script", "tarballs"}, Path: "/stagefile/mirror",
		Env: []plan.Var{{Name: "npm_config_yarn_offline_mirror", Value: "/stagefile/mirror"}}}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("pkg-%03d", i)
		d := plan.Download{Name: name, URL: "https://registry.yarnpkg.com/" + name + "/-/" + name + "-1.0.0.tgz", Integrity: "sha512-AAAA", File: name + "-1.0.0.tgz"}
		if i == 0 {
			d.Arch = []string{"arm64"} // a native binary for arm64 only
		}
		f.Packages = append(f.Packages, d)
	}
	s.Dependencies.Fetch = f
	return s
}

// TestFetch: the downloads run in steps of their own, a group each, and
// both installs read their merge from the mirror path with the env that
// names it; the test and build steps do not.
func TestFetch(t *testing.T) {
	s := withFetch(t, 40)
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	ops := describe(t, marshal(t, g.Targets[TargetRelease].State))
	steps, packages := 0, 0
	for _, name := range vertices(t, g.Targets[TargetRelease].State) {
		if strings.HasPrefix(name, "[fetch] ") && strings.Contains(name, "/4 ") {
			steps++
			var i, n, count int
			_, err := fmt.Sscanf(name, "[fetch] %d/%d %d packages", &i, &n, &count)
			assert.NilError(t, err, name)
			packages += count
		}
	}
	assert.Check(t, is.Equal(steps, 4), ops)
	assert.Check(t, is.Equal(packages, 39), "the arm64-only package is not fetched for amd64")
	assert.Check(t, !strings.Contains(ops, "pkg-000-1.0.0.tgz"))
	installs := 0
	for _, op := range regexp.MustCompile(`\n\s*v\d+ `).Split(ops, -1) {
		if strings.Contains(op, "yarn install") {
			installs++
			assert.Check(t, is.Contains(op, "/stagefile/mirror"), op)
			assert.Check(t, is.Contains(op, "npm_config_yarn_offline_mirror=/stagefile/mirror"), op)
		}
		if strings.Contains(op, "yarn run test") || strings.Contains(op, "yarn run build") {
			assert.Check(t, !strings.Contains(op, "/stagefile/mirror"), op)
		}
	}
	assert.Check(t, is.Equal(installs, 2), ops)

	// arm64 fetches its own binary, on the build platform's image
	b, images := build(s, linuxARM64)
	graphs, err := b.Convert(images, "")
	assert.NilError(t, err)
	g = graphs["linux/arm64"]
	ops = describe(t, marshal(t, g.Targets[TargetRelease].State))
	assert.Check(t, is.Contains(ops, "pkg-000-1.0.0.tgz"))
	for name, where := range platformsOf(t, g.Targets[TargetRelease].State) {
		if strings.HasPrefix(name, "[fetch] ") && strings.Contains(name, " packages: ") {
			assert.Check(t, is.Equal(where, "linux/amd64"), name)
		}
	}
}

// TestFetchBumpMovesOneGroup: a new version of one package changes one
// fetch step; the others keep their cache keys.
func TestFetchBumpMovesOneGroup(t *testing.T) {
	s := withFetch(t, 200)
	before := vertices(t, mustConvert(t, s).Targets[TargetDependencies].State)
	s.Dependencies.Fetch.Packages[7].URL = strings.Replace(s.Dependencies.Fetch.Packages[7].URL, "1.0.0", "1.0.1", 1)
	after := vertices(t, mustConvert(t, s).Targets[TargetDependencies].State)
	moved := 0
	for dgst, name := range after {
		if strings.HasPrefix(name, "[fetch] ") && strings.Contains(name, " packages: ") {
			if _, ok := before[dgst]; !ok {
				moved++
			}
		}
	}
	assert.Check(t, is.Equal(moved, 1))
}

func mustConvert(t *testing.T, s *plan.Plan) *Graph {
	g, err := Convert(s, options(s, localContext))
	assert.NilError(t, err)
	return g
}
