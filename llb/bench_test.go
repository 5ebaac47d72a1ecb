package llb

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// BenchmarkSpecToLLB times what the frontend does before asking BuildKit
// for anything: parse the Stagefile, resolve its plan (the preset reading
// the example's real files), convert and marshal the release target
// (target ≤ 1 ms).
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
		// the files the preset reads, read once: the benchmark times the
		// frontend, not the disk
		var names []string
		for _, p := range preset.Providers {
			names = append(names, p.Files(&plan.Plan{App: plan.Value[string]{Value: "apps/api"}}, nil)...)
		}
		files, err := contextdir.ReadFiles(dir, names)
		if err != nil {
			b.Fatal(err)
		}
		r := plan.Resolver{
			Providers: preset.Providers,
			ReadFiles: func([]string) (map[string][]byte, error) { return files, nil },
		}
		b.Run(ex.dir, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := spec.Parse(ex.file, data)
				if err != nil {
					b.Fatal(err)
				}
				p, _, err := r.Resolve(s)
				if err != nil {
					b.Fatal(err)
				}
				g, err := Convert(p, options(p, localContext))
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
