package python

import (
	"regexp"
	"strings"
)

// Package managers.
const (
	uv     = "uv"
	poetry = "poetry"
	pip    = "pip"
)

// The versions installed when the build image has no uv or poetry: pinned,
// so a build does not change with a release of the tool.
const (
	uvVersion     = "0.13.9"
	poetryVersion = "2.5.1"
)

// Where the tools keep their caches (as root, the user of every step).
const (
	pipCache    = "/root/.cache/pip"
	uvCache     = "/root/.cache/uv"
	poetryCache = "/root/.cache/pypoetry"
)

// manager is the package manager the context's lockfile names.
type manager struct {
	name     string
	lockfile string
	version  string // of uv or poetry, when not the image's
	why      string // where version came from
	// devFile is pip's development requirements file, if any.
	devFile string
	// member is the uv workspace member the installs are for (its
	// [project].name, checked to be a package name), "" for a project at
	// the root.
	member string
}

// venv is the virtualenv every manager installs into, in workdir: it is
// what the production-dependency layer carries to the release.
const venv = ".venv"

var exactVersion = regexp.MustCompile(`^\s*==?\s*(\d+\.\d+\.\d+)\s*$`)

// ensure installs tool==version with the image's pip when the image has
// no such command. The script is the preset's own: no value from the
// context reaches it but a version that matched exactVersion's digits.
func ensure(tool, version string) []string {
	return []string{"sh", "-c", "command -v " + tool + " >/dev/null 2>&1 || python3 -m pip install --no-input " + tool + "==" + version}
}

// cache is a cache the preset mounts and why.
type cache struct{ path, why string }

// installs returns what installs the package manager, the production and
// development installs and their caches. hashed: requirements files with
// --hash (pip), per file.
func (m manager) installs(pp *pyproject, prodHashed, devHashed bool) (tools []string, prod, dev [][]string, caches []cache) {
	switch m.name {
	case uv:
		// --frozen installs uv.lock as it is (the preset checked it against
		// pyproject.toml); the project itself is source, not a dependency
		p := []string{"uv", "sync", "--frozen", "--no-dev", "--no-install-project", "--compile-bytecode"}
		d := []string{"uv", "sync", "--frozen", "--no-install-project"}
		if m.member != "" {
			// the app's member and what it needs from uv.lock; no member
			// itself, the app's included: they are source, not dependencies
			p = []string{"uv", "sync", "--frozen", "--no-dev", "--package", m.member, "--no-install-workspace", "--compile-bytecode"}
			d = []string{"uv", "sync", "--frozen", "--package", m.member, "--no-install-workspace"}
		}
		if pp.Tool.Uv.DefaultGroups != nil {
			// more groups than dev are installed by default: none of them ships
			p[3] = "--no-default-groups"
		}
		return ensure("uv", m.version), [][]string{p}, [][]string{d},
			[]cache{{uvCache, "uv's cache"}, {pipCache, "pip's cache, for installing uv"}}
	case poetry:
		p := []string{"poetry", "install", "--only", "main", "--no-root", "--no-interaction", "--no-ansi"}
		if !strings.HasPrefix(m.version, "1.") {
			p = append(p, "--compile")
		}
		return ensure("poetry", m.version), [][]string{p},
			[][]string{{"poetry", "install", "--no-root", "--no-interaction", "--no-ansi"}},
			[]cache{{poetryCache, "poetry's cache"}, {pipCache, "pip's cache, for installing poetry"}}
	}
	install := func(file string, hashed bool) []string {
		a := []string{venv + "/bin/python", "-m", "pip", "install", "--no-input"}
		if hashed {
			a = append(a, "--require-hashes")
		}
		return append(a, "-r", file)
	}
	prod = [][]string{{"python3", "-m", "venv", venv}, install(m.lockfile, prodHashed)}
	if m.devFile != "" {
		// the development file's own hashes decide: one without hashes
		// must not fail, and one with them is checked
		dev = [][]string{install(m.devFile, devHashed)}
	}
	return nil, prod, dev, []cache{{pipCache, "pip's cache"}}
}
