package preset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
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
			got, err := plan.Read(dt, preset.Providers.Ecosystems())
			assert.NilError(t, err)
			assert.DeepEqual(t, got, p)
			assert.Equal(t, string(got.JSON()), string(p.JSON()))

			want := definitions(t, p)
			assert.Assert(t, len(want) == 2*len(llb.Targets)+1)
			for name, def := range definitions(t, got) {
				assert.Assert(t, bytes.Equal(def, want[name]), "%s differs", name)
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
// metadata and the image config, for linux/amd64 and for linux/arm64
// built on amd64 (installing there as the cross install says), and the
// cross-install check.
func definitions(t *testing.T, p *plan.Plan) map[string][]byte {
	b := llb.Build{Plan: p, Platforms: []ocispecs.Platform{amd64, arm64}, BuildPlatform: amd64, Options: llb.Options{
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
	}}
	images := map[llb.ImageKey]llb.Image{}
	for _, k := range b.Images() {
		pl, err := platforms.Parse(k.Platform)
		assert.NilError(t, err)
		images[k] = llb.Image{State: bk.Image(k.Ref, bk.Platform(pl))}
	}
	out := map[string][]byte{}
	marshal := func(name string, st bk.State, pl ocispecs.Platform, cfg any) {
		def, err := st.Marshal(context.Background(), bk.Platform(pl), bk.LocalUniqueID("stagefile-test"))
		assert.NilError(t, err)
		// Definition's own protobuf encoding orders maps randomly
		pb := def.ToPB()
		md, err := json.Marshal(pb.Metadata)
		assert.NilError(t, err)
		c, err := json.Marshal(cfg)
		assert.NilError(t, err)
		out[name] = append(append(bytes.Join(pb.Def, nil), md...), c...)
	}
	check, ok, err := b.CrossCheck(images)
	assert.NilError(t, err)
	out["cross-install check"] = nil
	if ok {
		marshal("cross-install check", check, amd64, nil)
	}
	graphs, err := b.Convert(images, "")
	assert.NilError(t, err)
	for _, pl := range b.Platforms {
		for _, target := range llb.Targets {
			tg := graphs[platforms.Format(pl)].Targets[target.Name]
			marshal(platforms.Format(pl)+" "+target.Name, tg.State, pl, tg.Image)
		}
	}
	return out
}
