package preset_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// TestExamplesGateEveryTarget: the test step each example's preset (or
// Stagefile) runs is in the graph of every target but test-reports, on a
// current daemon and on one without passthrough ops, so a failing test
// fails them all.
func TestExamplesGateEveryTarget(t *testing.T) {
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(ex.Dir, ex.File))
			assert.NilError(t, err)
			s, err := spec.Parse(ex.File, data)
			assert.NilError(t, err)
			r := plan.Resolver{
				Providers: preset.Providers,
				ReadFiles: func(names []string) (map[string][]byte, error) { return contextdir.ReadFiles(ex.Dir, names) },
				Image:     images,
			}
			p, _, err := r.Resolve(s)
			assert.NilError(t, err)
			assert.Assert(t, p.Test.Run != nil)
			imgs := map[string]llb.Image{}
			for _, ref := range []string{p.Image.Value, p.Release.Image.Value} {
				imgs[ref] = llb.Image{State: bk.Image(ref, bk.Platform(platform))}
			}
			for _, caps := range []*llb.Caps{nil, {Merge: true, CopyPatterns: true, RequiredPaths: true}} {
				g, err := llb.Convert(p, llb.Options{Platform: platform, Images: imgs, Caps: caps,
					Context: func(include, exclude []string) (bk.State, error) { return bk.Local("context"), nil }})
				assert.NilError(t, err)
				for _, target := range llb.Targets {
					if target.Name == llb.TargetTestReports {
						continue
					}
					def, err := g.Targets[target.Name].State.Marshal(t.Context())
					assert.NilError(t, err)
					found := false // an exec op running the test command
					for _, op := range def.Def {
						found = found || strings.Contains(string(op), p.Test.Run.Script())
					}
					assert.Check(t, found, "caps %+v: target %s does not require the tests", caps, target.Name)
				}
			}
		})
	}
}
