package python

import (
	"regexp"
	"sort"
	"strings"
)

// What the release ships: the production dependencies as the lockfile
// resolves them, so a server a package brings (fastapi[standard] brings
// uvicorn) counts, and one only the tests get does not.

// shipped are the packages the production install puts in the release,
// by normalized name, each with the version the lockfile pins ("" when it
// does not say) and where that was read.
func (f *filler) shipped(pm manager, pp *pyproject) map[string]locked {
	out := map[string]locked{}
	switch {
	case pm.name == uv && f.uvLock != nil:
		f.uvShipped(out)
	case pm.name == poetry && f.poetryLock != nil:
		f.poetryShipped(pp, out)
	case pm.name == pip:
		if t := f.reqs[pm.lockfile]; t != nil {
			for _, r := range t.reqs {
				if _, ok := out[r.name]; !ok {
					l := locked{from: r.from + " " + r.name + r.spec}
					if exactPin.MatchString(r.spec) {
						l.version, l.exact = strings.TrimLeft(r.spec, "="), true
					}
					out[r.name] = l
				}
			}
		}
	}
	if len(out) == 0 {
		for name, r := range f.declaredFor(pm, pp, true) {
			out[name] = locked{from: r.from}
		}
	}
	return out
}

// exactPin is a requirement pinned to one release: ==4.2.5.
var exactPin = regexp.MustCompile(`^===?[0-9][0-9A-Za-z.+!-]*$`)

// locked is a shipped package's version and where it was read.
type locked struct {
	version string
	exact   bool // version is one release, not a range
	from    string
}

// uvShipped walks uv.lock from the app's own package through its
// dependencies and the extras they ask for; dependency groups are the
// tests'.
func (f *filler) uvShipped(out map[string]locked) {
	byName := map[string]*uvPackage{}
	var root *uvPackage
	for _, p := range f.uvLock.Packages {
		byName[normalizeName(p.Name)] = p
		if dir, ok := p.localDir(); ok && dir == f.appDir() {
			root = p
		}
	}
	if root == nil {
		return
	}
	type visit struct{ name, extra string }
	seen := map[visit]bool{}
	var walk func(deps []uvDependency)
	walk = func(deps []uvDependency) {
		for _, d := range deps {
			name := normalizeName(d.Name)
			p := byName[name]
			if p == nil {
				continue
			}
			if _, local := p.localDir(); !local {
				out[name] = locked{version: p.Version, exact: p.Version != "", from: "uv.lock " + name + " " + p.Version}
			}
			for _, extra := range append([]string{""}, d.Extra...) {
				if seen[visit{name, extra}] {
					continue
				}
				seen[visit{name, extra}] = true
				if extra == "" {
					walk(p.Dependencies)
				} else {
					walk(p.OptionalDependencies[extra])
				}
			}
		}
	}
	walk(root.Dependencies)
}

// poetryShipped walks poetry.lock from the production dependencies
// pyproject.toml declares, through each package's dependencies, optional
// ones only for the extras asked of it.
func (f *filler) poetryShipped(pp *pyproject, out map[string]locked) {
	byName := map[string]*poetryPackage{}
	for i := range f.poetryLock.Packages {
		p := &f.poetryLock.Packages[i]
		byName[normalizeName(p.Name)] = p
	}
	seen := map[string]bool{}
	var walk func(name string, extras []string)
	walk = func(name string, extras []string) {
		p := byName[name]
		key := name + "[" + strings.Join(extras, ",") + "]"
		if p == nil || seen[key] {
			return
		}
		seen[key] = true
		out[name] = locked{version: p.Version, exact: p.Version != "", from: "poetry.lock " + name + " " + p.Version}
		// the optional dependencies the extras install
		wanted := map[string]bool{}
		for _, e := range extras {
			for _, spec := range p.Extras[e] {
				if r, ok := parseRequirement(spec, ""); ok {
					wanted[r.name] = true
				}
			}
		}
		for _, dep := range sortedKeys(p.Dependencies) {
			var depExtras []string
			if t, ok := p.Dependencies[dep].(map[string]any); ok {
				if opt, _ := t["optional"].(bool); opt && !wanted[normalizeName(dep)] {
					continue
				}
				if es, ok := t["extras"].([]any); ok {
					for _, e := range es {
						if s, ok := e.(string); ok {
							depExtras = append(depExtras, normalizeName(s))
						}
					}
				}
			}
			sort.Strings(depExtras)
			walk(normalizeName(dep), depExtras)
		}
	}
	tableExtras := map[string][]string{} // [tool.poetry.dependencies] fastapi = {extras = [...]}
	for name, v := range pp.Tool.Poetry.Dependencies {
		if t, ok := v.(map[string]any); ok {
			if es, ok := t["extras"].([]any); ok {
				for _, e := range es {
					if s, ok := e.(string); ok {
						tableExtras[normalizeName(name)] = append(tableExtras[normalizeName(name)], normalizeName(s))
					}
				}
			}
		}
	}
	prod, _ := pp.poetryDeclared()
	for _, r := range prod {
		extras := append(append([]string(nil), r.extras...), tableExtras[r.name]...)
		sort.Strings(extras)
		walk(r.name, extras)
	}
}
