package rust

import (
	"errors"
	"testing"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzPreset: whatever Cargo.toml files, Cargo.lock and toolchain file a
// build context holds, the preset answers within the fuzz budget with a
// plan or a positioned error; it never panics.
func FuzzPreset(f *testing.F) {
	f.Add([]byte(cargoToml), []byte(workspace()["crates/api/Cargo.toml"]), []byte(cargoLock), []byte("[toolchain]\nchannel = \"1.90\"\n"))
	f.Add([]byte(wsRoot), []byte("[package]\nname = \"shared\"\n[[bin]]\nname = \"x\"\npath = \"../../x.rs\"\n[dependencies]\ny = { path = \"../y\", package = \"z\" }\n"), []byte(workspace()["Cargo.lock"]), []byte("stable"))
	f.Add([]byte("[workspace]\nmembers = [\"../*\", \"[\"]\n[patch.crates-io]\na = { path = \"/etc\" }\n"), []byte("[package]\nname = \"a\"\nrust-version = { workspace = true }\nbuild = 5\n"),
		[]byte("version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"a\", \"a 1\", \"a 1 (x)\", \"\"]\n[metadata]\n\"checksum a 1 ()\" = \"zz\"\n"), []byte("[toolchain]\npath = \"/x\"\n"))
	f.Fuzz(func(t *testing.T, root, member, lock, toolchain []byte) {
		files := map[string][]byte{"Cargo.toml": root, "Cargo.lock": lock, "rust-toolchain.toml": toolchain, "rust-toolchain": toolchain,
			"crates/api/Cargo.toml": member, "crates/shared/Cargo.toml": member, "crates/api/src/main.rs": nil,
			"crates/shared/lib.rs": nil, "src/main.rs": nil, "src/lib.rs": nil, "build.rs": nil, "src/bin/x.rs": nil}
		for _, app := range []string{".", "crates/api"} {
			for _, image := range []string{"", "scratch"} {
				p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
					Preset: plan.Value[string]{Value: "rust", Origin: plan.Origin{Kind: plan.Stagefile}},
					App:    plan.Value[string]{Value: app, Origin: plan.Origin{Kind: plan.Stagefile}}}
				if image != "" {
					p.Release.Image = plan.Value[string]{Value: image, Origin: plan.Origin{Kind: plan.Stagefile}}
				}
				var err error
				bounded.Run(t, bounded.Fuzz, func() {
					Provider{}.Files(p, files)
					_, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: images})
					Provider{}.ListPackages(p, files)
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
