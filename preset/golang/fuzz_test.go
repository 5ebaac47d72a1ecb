package golang

import (
	"errors"
	"testing"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzPreset: whatever go.mod, go.sum, go.work and Go files a build
// context holds, the preset answers within the fuzz budget with a plan or
// a positioned error; it never panics.
func FuzzPreset(f *testing.F) {
	f.Add([]byte(goMod), []byte(goSum), []byte(""), []byte("package main\n"))
	f.Add([]byte("module x\ngo 1.26\n"), []byte(""), []byte("go 1.26\nuse ./a\n"), []byte("//go:build ignore\n\npackage main"))
	f.Add([]byte("module x\ntoolchain go1.99rc1\n"), []byte("x v1 h1:\n"), []byte("use (\n"), []byte("package"))
	f.Fuzz(func(t *testing.T, mod, sum, work, src []byte) {
		files := map[string][]byte{"go.mod": mod, "go.sum": sum, "go.work": work, "a/go.mod": mod,
			"main.go": src, "cmd/a/main.go": src, "a/main.go": src, "a/cmd/b/b.go": src}
		for _, app := range []string{".", "a"} {
			for _, image := range []string{"", "scratch"} {
				p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
					Preset: plan.Value[string]{Value: "go", Origin: plan.Origin{Kind: plan.Stagefile}},
					App:    plan.Value[string]{Value: app, Origin: plan.Origin{Kind: plan.Stagefile}}}
				if image != "" {
					p.Release.Image = plan.Value[string]{Value: image, Origin: plan.Origin{Kind: plan.Stagefile}}
				}
				var err error
				bounded.Run(t, bounded.Fuzz, func() {
					Provider{}.Files(p, files)
					_, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: distroless})
				})
				var list spec.Errors
				if err != nil && !errors.As(err, &list) {
					t.Fatalf("unpositioned error %T: %v", err, err)
				}
				if err == nil {
					if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
						t.Fatalf("unpositioned error %T: %v", err, err)
					}
				}
			}
		}
	})
}
