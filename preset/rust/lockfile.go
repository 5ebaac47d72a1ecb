package rust

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// lockfile is Cargo.lock (versions 1 to 4).
type lockfile struct {
	Version int           `toml:"version"`
	Package []lockPackage `toml:"package"`
	// Metadata holds version 1's checksums: "checksum NAME VERSION (SOURCE)".
	Metadata map[string]any `toml:"metadata"`
	// byName indexes Package.
	byName map[string][]int
}

type lockPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	// Source is "registry+URL", "sparse+URL" or "git+URL#REV"; none for a
	// package of the build context.
	Source   string `toml:"source"`
	Checksum string `toml:"checksum"`
	// Dependencies are "NAME", "NAME VERSION" or "NAME VERSION (SOURCE)":
	// for a registry package its dependencies and build dependencies (on
	// every platform), for a local one its dev-dependencies too.
	Dependencies []string `toml:"dependencies"`
}

func readLockfile(dt []byte) (*lockfile, error) {
	l := &lockfile{}
	if err := scaffold.ReadTOML(dt, l); err != nil {
		return nil, err
	}
	if len(l.Package) == 0 {
		return nil, fmt.Errorf("it locks no package")
	}
	l.byName = map[string][]int{}
	for i, p := range l.Package {
		if p.Name == "" || p.Version == "" {
			return nil, fmt.Errorf("a [[package]] has no name or version")
		}
		l.byName[p.Name] = append(l.byName[p.Name], i)
	}
	return l, nil
}

// check: Cargo.lock records every package the local packages declare
// (cargo locks optional, dev, build and other platforms' dependencies
// too), else `cargo build --locked` fails on it.
func (l *lockfile) check(pr *project) error {
	var missing []string
	seen := map[string]bool{}
	for _, c := range pr.crates {
		for _, d := range c.deps {
			if d.kind == "patch" || len(l.byName[d.name]) > 0 || seen[d.name] {
				continue
			}
			seen[d.name] = true
			missing = append(missing, fmt.Sprintf("%s (%s)", printable(d.name), d.from))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("Cargo.lock is out of sync with Cargo.toml: it does not record %s (run cargo update --workspace and commit Cargo.lock)", scaffold.Few(missing))
}

// cTools are the build dependencies of packages that compile or link C:
// such a package needs a C toolchain for the target, and often a system
// library, so the release links glibc.
var cTools = map[string]bool{"cc": true, "cmake": true, "pkg-config": true, "bindgen": true}

// otherPlatforms are packages that use a C tool only on an OS the release
// never runs on; Cargo.lock records every platform's dependencies.
var otherPlatforms = map[string]bool{"iana-time-zone-haiku": true}

// compilesC says which locked package builds C code, "" when none does:
// then the app is pure Rust and links statically with musl.
func (l *lockfile) compilesC() string {
	for _, p := range l.sorted() {
		if otherPlatforms[p.Name] {
			continue
		}
		for _, d := range p.Dependencies {
			if name := depName(d); cTools[name] {
				return fmt.Sprintf("%s %s builds C code (it depends on %s)", printable(p.Name), printable(p.Version), name)
			}
		}
	}
	return ""
}

func (l *lockfile) sorted() []lockPackage {
	out := append([]lockPackage(nil), l.Package...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// depName is the package a dependencies entry names.
func depName(d string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(d), " ")
	return name
}

// find is the locked package an entry of from's dependencies names.
func (l *lockfile) find(d string) *lockPackage {
	fields := strings.Fields(d)
	if len(fields) == 0 {
		return nil
	}
	var found *lockPackage
	for _, i := range l.byName[fields[0]] {
		p := &l.Package[i]
		if len(fields) > 1 && p.Version != fields[1] {
			continue
		}
		if len(fields) > 2 && strings.Trim(fields[2], "()") != p.Source {
			continue
		}
		if found != nil {
			return nil // ambiguous: cargo would have written the version
		}
		found = p
	}
	return found
}

// local is the locked entry of a package of the build context.
func (l *lockfile) local(name string) *lockPackage {
	for _, i := range l.byName[name] {
		if p := &l.Package[i]; p.Source == "" {
			return p
		}
	}
	return nil
}

// shipped lists the packages compiled into the app: its dependencies
// (not its dev-dependencies nor build dependencies) and theirs as
// Cargo.lock records them, every platform's, without the packages of the
// build context, which are the app's own code.
func (l *lockfile) shipped(pr *project) []plan.Package {
	type visit struct {
		p *lockPackage
		// allowed are the dependencies to follow, nil for all: a local
		// package's entry lists its dev-dependencies too
		allowed map[string]bool
	}
	seen := map[*lockPackage]bool{}
	var out []plan.Package
	var stack []visit
	if app := l.local(pr.app.name()); app != nil {
		stack = append(stack, visit{app, pr.app.normalDeps()})
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[v.p] {
			continue
		}
		seen[v.p] = true
		if v.p.Source != "" {
			out = append(out, l.pkg(v.p))
		}
		for _, d := range v.p.Dependencies {
			if v.allowed != nil && !v.allowed[depName(d)] {
				continue
			}
			next := l.find(d)
			if next == nil || seen[next] {
				continue
			}
			var allowed map[string]bool
			if next.Source == "" {
				allowed = map[string]bool{}
				if c := pr.crateNamed(next.Name); c != nil {
					allowed = c.normalDeps()
				}
			}
			stack = append(stack, visit{next, allowed})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out
}

func (pr *project) crateNamed(name string) *crate {
	for _, c := range pr.crates {
		if c.name() == name {
			return c
		}
	}
	return nil
}

// normalDeps are the packages c's [dependencies] name (every platform's).
func (c *crate) normalDeps() map[string]bool {
	out := map[string]bool{}
	for _, d := range c.deps {
		if d.kind == normal {
			out[d.name] = true
		}
	}
	return out
}

// pkg is a locked package as the SBOM lists it: its checksum (sha256, hex)
// as a subresource-integrity value, a git source as where it came from.
func (l *lockfile) pkg(p *lockPackage) plan.Package {
	out := plan.Package{Ecosystem: "cargo", Name: p.Name, Version: p.Version}
	sum := p.Checksum
	if sum == "" {
		if s, ok := l.Metadata[fmt.Sprintf("checksum %s %s (%s)", p.Name, p.Version, p.Source)].(string); ok {
			sum = s
		}
	}
	if raw, err := hex.DecodeString(sum); err == nil && len(raw) == 32 {
		out.Integrity = "sha256-" + base64.StdEncoding.EncodeToString(raw)
	}
	if u, ok := strings.CutPrefix(p.Source, "git+"); ok {
		out.Download = spec.Redact(u)
	}
	return out
}

// credentials: source URLs with a user or a token in them.
func (l *lockfile) credentials() []string {
	var found []string
	for _, p := range l.Package {
		if spec.HasCredentials(p.Source) {
			found = append(found, spec.Redact(p.Source))
		}
	}
	return found
}
