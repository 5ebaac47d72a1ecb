package preset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
)

// TestStoredPlanConverts: every example's plan, stored as JSON and read
// back, is the same plan and converts to the same LLB for every target,
// on one platform and cross-installed for another: a stored plan is as
// good as the Stagefile it came from.
func TestStoredPlanConverts(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			p, _ := ex.resolve(t)
			dt, err := json.Marshal(p)
			assert.NilError(t, err)
			got, err := plan.Read(dt)
			assert.NilError(t, err)
			assert.DeepEqual(t, got, p)
			assert.Equal(t, string(got.JSON()), string(p.JSON()))

			for _, native := range []bool{false, true} {
				want := definitions(t, p, native)
				assert.Assert(t, len(want) == len(llb.Targets))
				for name, def := range definitions(t, got, native) {
					assert.Assert(t, bytes.Equal(def, want[name]), "target %s (native install %v) differs", name, native)
				}
			}
		})
	}
}

var (
	amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
)

// definitions are p's targets as the CLI converts them (images left
// unresolved, the context a local source), each as its ops' bytes, their
// metadata and the image config. With native, p is built for arm64 with
// the installs run on amd64, as the cross install says.
func definitions(t *testing.T, p *plan.Plan, native bool) map[string][]byte {
	images := func(pl ocispecs.Platform) map[string]llb.Image {
		return map[string]llb.Image{
			p.Image.Value:         {State: bk.Image(p.Image.Value, bk.Platform(pl))},
			p.Release.Image.Value: {State: bk.Image(p.Release.Image.Value, bk.Platform(pl))},
		}
	}
	opt := llb.Options{
		Platform: amd64,
		Images:   images(amd64),
		Context: func(include, exclude []string) (bk.State, error) {
			var opts []bk.LocalOption
			if include != nil {
				opts = append(opts, bk.IncludePatterns(include), bk.SharedKeyHint("context:"+strings.Join(include, ",")))
			}
			if exclude != nil {
				opts = append(opts, bk.ExcludePatterns(exclude))
			}
			return bk.Local("context", opts...), nil
		},
	}
	if native {
		opt.Platform, opt.Images, opt.BuildPlatform, opt.MultiPlatform = arm64, images(arm64), &amd64, true
		if c := p.Dependencies.Cross; c != nil && len(c.Env) > 0 {
			opt.Install = &llb.Install{Platform: amd64, Image: images(amd64)[p.Image.Value], Env: c.Env["arm64"], Why: c.Why}
		}
	}
	g, err := llb.Convert(p, opt)
	assert.NilError(t, err)
	out := map[string][]byte{}
	for _, target := range llb.Targets {
		tg := g.Targets[target.Name]
		def, err := tg.State.Marshal(context.Background(), bk.Platform(opt.Platform), bk.LocalUniqueID("stagefile-test"))
		assert.NilError(t, err)
		// Definition's own protobuf encoding orders maps randomly
		pb := def.ToPB()
		md, err := json.Marshal(pb.Metadata)
		assert.NilError(t, err)
		cfg, err := json.Marshal(tg.Image)
		assert.NilError(t, err)
		out[target.Name] = append(append(bytes.Join(pb.Def, nil), md...), cfg...)
	}
	return out
}
