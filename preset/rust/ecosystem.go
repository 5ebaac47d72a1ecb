package rust

import (
	"path"

	"github.com/stagefile/stagefile/plan"
)

// Ecosystem: cargo run starts an app without passing signals on (and
// compiles it first); cargo's credentials file holds registry tokens.
// cargo's target folder is no dependency folder: the release takes its
// binary from it (target/release/NAME in a Stagefile without the preset),
// and Maven and sbt build into folders of that name too, so refusing it
// as an output would refuse their builds. The preset keeps the
// developer's target folder out of the source copy instead.
func (Provider) Ecosystem() plan.Ecosystem {
	return plan.Ecosystem{
		Launchers:       []string{"cargo"},
		StartExample:    "[/app/bin/server], the binary itself",
		CredentialFiles: []plan.CredentialFile{{Name: "credentials.toml", SecretAdvice: "mount the secret as cargo's own, target: /usr/local/cargo/credentials.toml (CARGO_HOME of the official images); or make it an env secret, env: CARGO_REGISTRIES_NAME_TOKEN"}},
		Aliases:         []string{"rs", "cargo"},
	}
}

// PackageFiles: Cargo.toml and Cargo.lock among a Stagefile's own
// manifests (at the root), and the app's Cargo.toml.
func (Provider) PackageFiles(p *plan.Plan) []string {
	var names []string
	lock := false
	for _, m := range p.Dependencies.Manifests {
		switch clean := path.Clean(m.Value); clean {
		case "Cargo.toml":
			names = append(names, clean)
		case "Cargo.lock":
			names = append(names, clean)
			lock = true
		}
	}
	if !lock {
		return nil
	}
	if app := path.Clean(p.App.Value); app != "." && !plan.HasWildcard(app) {
		names = append(names, path.Join(app, "Cargo.toml"))
	}
	return names
}

// ListPackages reads the packages compiled into the app of a Stagefile
// without the preset from its Cargo.toml and Cargo.lock. Path
// dependencies whose manifests were not read count as none.
func (Provider) ListPackages(p *plan.Plan, files map[string][]byte) ([]plan.Package, plan.Origin, bool) {
	pr, err := loadProject(files, path.Clean(p.App.Value), true)
	if err != nil || pr.app == nil {
		return nil, plan.Origin{}, false
	}
	dt, ok := files[path.Join(pr.root, "Cargo.lock")]
	if !ok {
		return nil, plan.Origin{}, false
	}
	lock, err := readLockfile(dt)
	if err != nil {
		return nil, plan.Origin{}, false
	}
	o := plan.Origin{Kind: plan.Default, At: p.Dependencies.At, From: "Cargo.lock, the app's dependencies"}
	return lock.shipped(pr), o, true
}
