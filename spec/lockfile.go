package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// checkLockfile reports a lockfile that does not record what package.json
// declares, before any install runs: the installs would fail with
// --frozen-lockfile / npm ci, and the fix is always the same.
func checkLockfile(files ContextFiles, pm nodeManager, root packageJSON, rootDir, appDir string, app packageJSON) error {
	lock := files[pm.lockfile]
	importers := map[string]packageJSON{rootDir: root}
	if appDir != rootDir {
		importers[appDir] = app
	}
	var missing []string
	for _, dir := range sortedDirs(importers) {
		pkg := importers[dir]
		for _, dep := range declared(pkg) {
			if !recorded(lock, pm, dir, dep.name, dep.spec) {
				where := "package.json"
				if dir != "." {
					where = dir + "/package.json"
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
	install := map[string]string{"npm": "npm install", "yarn": "yarn install", "yarn-berry": "yarn install", "pnpm": "pnpm install"}[pm.name]
	return fmt.Errorf("%s is out of sync with package.json: it does not record %s%s (run %s and commit %s)",
		pm.lockfile, strings.Join(missing, ", "), more, install, pm.lockfile)
}

type dependency struct{ name, spec string }

// declared lists the registry dependencies a package declares; workspace,
// file and link dependencies are resolved locally and not checked.
func declared(pkg packageJSON) []dependency {
	var out []dependency
	for _, m := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
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

func recorded(lock []byte, pm nodeManager, dir, name, spec string) bool {
	switch pm.name {
	case "npm":
		var l struct {
			Packages map[string]struct {
				Dependencies         map[string]string `json:"dependencies"`
				DevDependencies      map[string]string `json:"devDependencies"`
				OptionalDependencies map[string]string `json:"optionalDependencies"`
			} `json:"packages"`
		}
		if json.Unmarshal(lock, &l) != nil || l.Packages == nil {
			return true // lockfile v1 or unreadable: leave it to npm ci
		}
		key := ""
		if dir != "." {
			key = dir
		}
		p := l.Packages[key]
		return p.Dependencies[name] == spec || p.DevDependencies[name] == spec || p.OptionalDependencies[name] == spec
	case "pnpm":
		var l struct {
			Importers map[string]struct {
				Specifiers      map[string]string `yaml:"specifiers"`
				Dependencies    map[string]any    `yaml:"dependencies"`
				DevDependencies map[string]any    `yaml:"devDependencies"`
			} `yaml:"importers"`
			Specifiers      map[string]string `yaml:"specifiers"` // single-package lockfiles of pnpm ≤ 7
			Dependencies    map[string]any    `yaml:"dependencies"`
			DevDependencies map[string]any    `yaml:"devDependencies"`
		}
		if yaml.Unmarshal(lock, &l) != nil {
			return true
		}
		imp, ok := l.Importers[dir]
		if !ok {
			if dir != "." || l.Importers != nil {
				return false
			}
			imp.Specifiers, imp.Dependencies, imp.DevDependencies = l.Specifiers, l.Dependencies, l.DevDependencies
		}
		if imp.Specifiers[name] == spec {
			return true
		}
		for _, deps := range []map[string]any{imp.Dependencies, imp.DevDependencies} {
			if d, ok := deps[name].(map[string]any); ok && d["specifier"] == spec {
				return true
			}
		}
		return false
	default: // yarn classic and berry: entries keyed "name@range"
		want := map[string]bool{name + "@" + spec: true, name + "@npm:" + spec: true}
		for _, line := range strings.Split(string(lock), "\n") {
			if line == "" || line[0] == ' ' || line[0] == '#' || !strings.HasSuffix(line, ":") {
				continue
			}
			for _, key := range strings.Split(strings.TrimSuffix(line, ":"), ",") {
				if want[strings.Trim(strings.TrimSpace(key), `"`)] {
					return true
				}
			}
		}
		return false
	}
}

func sortedDirs(m map[string]packageJSON) []string {
	var dirs []string
	for d := range m {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}
