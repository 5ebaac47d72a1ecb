package llb

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/stagefile/stagefile/spec"
)

// BenchmarkSpecToLLB times what the frontend does before asking BuildKit
// for anything: parse the Stagefile, apply its preset from the example's
// real files, convert and marshal the release target (target ≤ 1 ms).
func BenchmarkSpecToLLB(b *testing.B) {
	for _, ex := range []struct{ dir, file string }{
		{"node-yarn", "Stagefile"},
		{"node-npm", "Stagefile"},
		{"node-yarn-berry", "Stagefile"},
		{"node-pnpm-monorepo", "apps/api/Stagefile"},
		{"node-native", "Stagefile"},
	} {
		dir := filepath.Join("..", "examples", ex.dir)
		data, err := os.ReadFile(filepath.Join(dir, ex.file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(ex.dir, func(b *testing.B) {
			probe, _, err := spec.Parse(ex.file, data)
			if err != nil {
				b.Fatal(err)
			}
			files := spec.ContextFiles{}
			for _, name := range probe.PresetFiles() {
				if dt, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
					files[name] = dt
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := spec.Parse(ex.file, data)
				if err != nil {
					b.Fatal(err)
				}
				if s.Preset != "" {
					if _, err := s.ApplyNodePreset(files, []string{"node"}); err != nil {
						b.Fatal(err)
					}
				}
				g, err := Convert(s, options(s, localContext))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := g.Targets[TargetRelease].State.Marshal(context.Background(), bk.Platform(linuxAMD64), bk.LocalUniqueID("bench")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
