package node

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pkg/errors"
	yaml "go.yaml.in/yaml/v3"
)

// lockfile is what a lockfile records, read once per build in time
// linear in its size.
type lockfile struct {
	// specifiers: per importer (workspace folder, "." for the root), the
	// range recorded for each direct dependency (npm, pnpm).
	specifiers map[string]map[string]string
	// keys are yarn's "name@range" entries.
	keys map[string]bool
	// packages are the locked packages.
	packages []lockedPackage
	// unchecked: an old format without per-importer ranges (npm lockfile
	// v1); the install itself checks it.
	unchecked bool
}

// lockedPackage is one package the lockfile pins.
type lockedPackage struct {
	Name, Version, Integrity, Resolved string
	// Script: the package runs an install script (native addons).
	Script bool
}

// parseLockfile reads dt (BOM and CRLF already normalized) as pm's lockfile.
func parseLockfile(pm manager, dt []byte) (*lockfile, error) {
	switch pm.name {
	case npm:
		return parseNpmLock(dt)
	case pnpm:
		return parsePnpmLock(dt)
	case yarnBerry:
		return parseBerryLock(dt)
	default:
		return parseYarnLock(dt)
	}
}

type npmLockPackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Resolved             string            `json:"resolved"`
	Integrity            string            `json:"integrity"`
	Link                 bool              `json:"link"`
	HasInstallScript     bool              `json:"hasInstallScript"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
}

func parseNpmLock(dt []byte) (*lockfile, error) {
	var l struct {
		LockfileVersion *int                       `json:"lockfileVersion"`
		Packages        map[string]*npmLockPackage `json:"packages"`
	}
	if err := json.Unmarshal(dt, &l); err != nil {
		return nil, errors.Wrap(err, "invalid JSON")
	}
	if l.LockfileVersion == nil {
		return nil, errors.New("it has no lockfileVersion")
	}
	lf := &lockfile{specifiers: map[string]map[string]string{}}
	if l.Packages == nil {
		lf.unchecked = true // lockfile v1: npm ci checks it
		return lf, nil
	}
	for _, key := range sortedKeys(l.Packages) {
		p := l.Packages[key]
		if p == nil {
			return nil, errors.Errorf("the entry %q is empty", key)
		}
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 { // the root ("") or a workspace folder: an importer
			dir := key
			if dir == "" {
				dir = "."
			}
			lf.specifiers[dir] = merge(p.Dependencies, p.DevDependencies, p.OptionalDependencies)
			continue
		}
		if p.Link {
			continue
		}
		lf.packages = append(lf.packages, lockedPackage{Name: key[i+len("node_modules/"):], Version: p.Version,
			Integrity: p.Integrity, Resolved: p.Resolved, Script: p.HasInstallScript})
	}
	return lf, nil
}

func parsePnpmLock(dt []byte) (*lockfile, error) {
	type pnpmImporter struct {
		Specifiers           map[string]string `yaml:"specifiers"` // lockfile v5
		Dependencies         map[string]any    `yaml:"dependencies"`
		DevDependencies      map[string]any    `yaml:"devDependencies"`
		OptionalDependencies map[string]any    `yaml:"optionalDependencies"`
	}
	var l struct {
		LockfileVersion any                     `yaml:"lockfileVersion"`
		Importers       map[string]pnpmImporter `yaml:"importers"`
		Root            pnpmImporter            `yaml:",inline"` // single-package lockfiles of pnpm ≤ 7
		Packages        map[string]struct {
			Resolution struct {
				Integrity string `yaml:"integrity"`
				Tarball   string `yaml:"tarball"`
			} `yaml:"resolution"`
			RequiresBuild bool `yaml:"requiresBuild"`
		} `yaml:"packages"`
	}
	if err := yaml.Unmarshal(dt, &l); err != nil {
		return nil, errors.Wrap(err, "invalid YAML")
	}
	if l.LockfileVersion == nil {
		return nil, errors.New("it has no lockfileVersion")
	}
	lf := &lockfile{specifiers: map[string]map[string]string{}}
	importers := l.Importers
	if importers == nil {
		importers = map[string]pnpmImporter{".": l.Root}
	}
	for dir, imp := range importers {
		specs := map[string]string{}
		for name, s := range imp.Specifiers {
			specs[name] = s
		}
		for _, deps := range []map[string]any{imp.Dependencies, imp.DevDependencies, imp.OptionalDependencies} {
			for name, d := range deps {
				if m, ok := d.(map[string]any); ok {
					if s, ok := m["specifier"].(string); ok {
						specs[name] = s
					}
				}
			}
		}
		lf.specifiers[dir] = specs
	}
	for _, key := range sortedKeys(l.Packages) {
		p := l.Packages[key]
		name, version := splitNameVersion(strings.TrimPrefix(key, "/"))
		lf.packages = append(lf.packages, lockedPackage{Name: name, Version: version, Integrity: p.Resolution.Integrity,
			Resolved: p.Resolution.Tarball, Script: p.RequiresBuild})
	}
	return lf, nil
}

func parseBerryLock(dt []byte) (*lockfile, error) {
	var l map[string]struct {
		Version    string `yaml:"version"`
		Resolution string `yaml:"resolution"`
		Checksum   string `yaml:"checksum"`
	}
	if err := yaml.Unmarshal(dt, &l); err != nil {
		return nil, errors.Wrap(err, "invalid YAML")
	}
	if _, ok := l["__metadata"]; !ok {
		return nil, errors.New("it has no __metadata entry")
	}
	lf := &lockfile{keys: map[string]bool{}}
	for _, header := range sortedKeys(l) {
		if header == "__metadata" {
			continue
		}
		for _, k := range strings.Split(header, ",") {
			lf.keys[strings.TrimSpace(k)] = true
		}
		e := l[header]
		name, _ := splitNameVersion(e.Resolution)
		if strings.Contains(e.Resolution, "@workspace:") {
			continue
		}
		lf.packages = append(lf.packages, lockedPackage{Name: name, Version: e.Version, Integrity: e.Checksum})
	}
	return lf, nil
}

// parseYarnLock reads yarn 1's own format: unindented "key, key:" headers,
// each followed by indented fields ("  version \"1.2.3\"").
func parseYarnLock(dt []byte) (*lockfile, error) {
	lf := &lockfile{keys: map[string]bool{}}
	var cur *lockedPackage
	for n, line := range strings.Split(string(dt), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case line[0] != ' ':
			if !strings.HasSuffix(trimmed, ":") {
				return nil, errors.Errorf("line %d is neither an entry (\"name@range:\") nor one of its fields", n+1)
			}
			var name string
			for _, k := range strings.Split(strings.TrimSuffix(trimmed, ":"), ",") {
				k = strings.Trim(strings.TrimSpace(k), `"`)
				lf.keys[k] = true
				name, _ = splitNameVersion(k)
			}
			lf.packages = append(lf.packages, lockedPackage{Name: name})
			cur = &lf.packages[len(lf.packages)-1]
		case cur == nil:
			return nil, errors.Errorf("line %d is a field outside any entry", n+1)
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			k, v, _ := strings.Cut(trimmed, " ")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch k {
			case "version":
				cur.Version = v
			case "resolved":
				cur.Resolved = v
			case "integrity":
				cur.Integrity = v
			}
		}
	}
	return lf, nil
}

// splitNameVersion splits "name@version" or "@scope/name@version" (the
// first "@" of a scope is part of the name); pnpm's peer suffix "(…)" is
// dropped.
func splitNameVersion(s string) (string, string) {
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	i := strings.LastIndexByte(s, '@')
	if i <= 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// importer is a package.json the installs read: the root's or the app's.
type importer struct {
	dir string
	pkg packageJSON
}

// check reports a lockfile that does not record what package.json
// declares, before any install runs: the installs would fail with
// --frozen-lockfile / npm ci, and the fix is always the same.
func (l *lockfile) check(pm manager, importers []importer) error {
	if l.unchecked {
		return nil
	}
	var missing []string
	for _, imp := range importers {
		for _, dep := range declared(imp.pkg) {
			if !l.records(pm, imp.dir, dep) {
				where := "package.json"
				if imp.dir != "." {
					where = imp.dir + "/package.json"
				}
				missing = append(missing, fmt.Sprintf("%s@%s (%s)", dep.name, dep.spec, where))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	more := ""
	if len(missing) > 3 {
		more = fmt.Sprintf(" and %d more", len(missing)-3)
		missing = missing[:3]
	}
	return fmt.Errorf("%s is out of sync with package.json: it does not record %s%s (run %s install and commit %s)",
		pm.lockfile, strings.Join(missing, ", "), more, pm.tool(), pm.lockfile)
}

func (l *lockfile) records(pm manager, dir string, dep dependency) bool {
	switch pm.name {
	case npm, pnpm:
		return l.specifiers[dir][dep.name] == dep.spec
	default: // yarn classic and berry: entries keyed "name@range"
		return l.keys[dep.name+"@"+dep.spec] || l.keys[dep.name+"@npm:"+dep.spec]
	}
}

type dependency struct{ name, spec string }

// declared lists the registry dependencies a package declares; workspace,
// file and link dependencies are resolved locally and not checked.
func declared(pkg packageJSON) []dependency {
	var out []dependency
	for _, m := range []map[string]string{pkg.Dependencies, pkg.DevDependencies, pkg.OptionalDependencies} {
		for name, spec := range m {
			if strings.ContainsAny(spec, ":/") && !strings.HasPrefix(spec, "npm:") {
				continue // workspace:, file:, link:, git urls...
			}
			out = append(out, dependency{name, spec})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
