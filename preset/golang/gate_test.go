package golang

import (
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/llb"
)

// TestTestsGateEveryTarget: the preset's test step (go test) is in the
// graph of every target but test, so a failing test fails them all.
func TestTestsGateEveryTarget(t *testing.T) {
	p, _, err := fill(t, "", cmdModule())
	assert.NilError(t, err)
	assert.Assert(t, p.Test.Run != nil)
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	images := map[string]llb.Image{}
	for _, ref := range []string{p.Image.Value, p.Release.Image.Value} {
		images[ref] = llb.Image{State: bk.Image(ref, bk.Platform(platform))}
	}
	g, err := llb.Convert(p, llb.Options{Platform: platform, Images: images,
		Context: func(include, exclude []string) (bk.State, error) { return bk.Local("context"), nil }})
	assert.NilError(t, err)
	assert.Check(t, g.Gated && g.Tests != nil)
	for _, target := range llb.Targets {
		if target.Name == llb.TargetTest || target.Name == "test-reports" {
			continue
		}
		def, err := g.Targets[target.Name].State.Marshal(t.Context())
		assert.NilError(t, err)
		found := false // an exec op running the test command
		for _, op := range def.Def {
			found = found || strings.Contains(string(op), p.Test.Run.Script())
		}
		assert.Check(t, found, "target %s does not require the tests", target.Name)
	}
}
