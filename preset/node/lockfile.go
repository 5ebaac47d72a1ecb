package node

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	yaml "go.yaml.in/yaml/v3"

	"github.com/stagefile/stagefile/preset/internal/scaffold"
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
	// production walks the dependency graph from the importers' production
	// dependencies: the packages a production install puts in place.
	production func(importers []importer) []*lockedPackage
	// linked, when the format records it (npm, pnpm, bun), says how a
	// workspace importer's dependency resolves: the folder it links to
	// ("" for a registry package), and whether the lockfile knows.
	linked func(importer, name string) (dir string, known bool)
	// locked, when set (bun), is the version the lockfile installs for an
	// importer's direct dependency, "" when it records none.
	locked func(importer, name string) string
	// version is the format's version, where the preset reads it
	// (bun.lock's lockfileVersion).
	version int
}

// lockedPackage is one package the lockfile pins.
type lockedPackage struct {
	Name, Version, Integrity, Resolved, License string
	// Alias is the registry's name for an aliased package ("foo":
	// "npm:bar@1" installs bar as foo), when the lockfile records it.
	Alias string
	// OS, CPU and Libc restrict the platforms it installs on, in node's
	// names (linux, x64, glibc), when the lockfile records them (npm).
	OS, CPU, Libc []string
	// Script: the package runs an install script (native addons).
	Script bool
	// deps are its dependencies as the format records them (name → range,
	// version or location); the format's walk resolves them.
	deps map[string]string
}

// walk visits, breadth first and once each, what start leads to through
// next, which resolves a node's edges.
func walk[K comparable](start []K, next func(K) []K) []K {
	seen := map[K]bool{}
	var order []K
	for len(start) > 0 {
		k := start[0]
		start = start[1:]
		if seen[k] {
			continue
		}
		seen[k] = true
		order = append(order, k)
		start = append(start, next(k)...)
	}
	return order
}

// prodDeps are a package.json's production dependencies, sorted.
func prodDeps(pkg packageJSON) []string {
	return sortedKeys(merge(pkg.Dependencies, pkg.OptionalDependencies))
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
	case bun:
		if pm.lockfile == "bun.lockb" {
			return parseBunLockb(dt)
		}
		return parseBunLock(dt)
	default:
		return parseYarnLock(dt)
	}
}

type npmLockPackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Resolved             string            `json:"resolved"`
	Integrity            string            `json:"integrity"`
	License              json.RawMessage   `json:"license"`
	Link                 bool              `json:"link"`
	HasInstallScript     bool              `json:"hasInstallScript"`
	OS                   json.RawMessage   `json:"os"`
	CPU                  json.RawMessage   `json:"cpu"`
	Libc                 json.RawMessage   `json:"libc"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
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
	lf.production = func([]importer) []*lockedPackage { return nil }
	if l.Packages == nil {
		lf.unchecked = true // lockfile v1: npm ci checks it
		return lf, nil
	}
	var keys []string // of lf.packages, index for index
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
		var license string
		_ = json.Unmarshal(p.License, &license) // an object or a list says nothing usable
		lp := lockedPackage{Name: key[i+len("node_modules/"):], Version: p.Version,
			Integrity: p.Integrity, Resolved: p.Resolved, License: license, Script: p.HasInstallScript,
			OS: stringList(p.OS), CPU: stringList(p.CPU), Libc: stringList(p.Libc)}
		if p.Name != "" && p.Name != lp.Name {
			lp.Alias = p.Name
		}
		lf.packages = append(lf.packages, lp)
		keys = append(keys, key)
	}
	byKey := make(map[string]*lockedPackage, len(keys))
	for i, key := range keys {
		byKey[key] = &lf.packages[i]
	}
	// a dependency resolves as node does: the nearest node_modules/NAME up
	// from where the dependent is installed; a link leads to a workspace
	resolve := func(from, name string) string {
		for dir := from; ; dir = path.Dir(dir) {
			if dir == "." {
				dir = ""
			}
			key := path.Join(dir, "node_modules", name)
			if p, ok := l.Packages[key]; ok && p != nil {
				if p.Link {
					return p.Resolved
				}
				return key
			}
			if dir == "" {
				return ""
			}
		}
	}
	lf.linked = func(importer, name string) (string, bool) {
		if importer == "." {
			importer = ""
		}
		k := resolve(importer, name)
		if k == "" {
			return "", false
		}
		if p := l.Packages[k]; p != nil && !p.Link && strings.Contains(k, "node_modules/") {
			return "", true
		}
		return path.Clean(k), true
	}
	lf.production = func(importers []importer) []*lockedPackage {
		var start []string
		for _, imp := range importers[len(importers)-1:] { // the app's
			loc := imp.dir
			if loc == "." {
				loc = ""
			}
			for _, name := range prodDeps(imp.pkg) {
				if k := resolve(loc, name); k != "" {
					start = append(start, k)
				}
			}
		}
		// whether a package installs on Linux, read once per package,
		// not once per edge that leads to it
		linuxKnown := map[string]bool{}
		linux := func(k string) bool {
			ok, seen := linuxKnown[k]
			if !seen {
				ok = onLinux(l.Packages[k])
				linuxKnown[k] = ok
			}
			return ok
		}
		var out []*lockedPackage
		for _, key := range walk(start, func(key string) []string {
			p := l.Packages[key]
			if p == nil {
				return nil
			}
			var next []string
			for _, name := range sortedKeys(merge(p.Dependencies, p.OptionalDependencies, p.PeerDependencies)) {
				// an optional package for another OS or CPU is not
				// installed on Linux, nor is anything it depends on
				if k := resolve(key, name); k != "" && linux(k) {
					next = append(next, k)
				}
			}
			return next
		}) {
			if pkg := byKey[key]; pkg != nil {
				out = append(out, pkg)
			}
		}
		return out
	}
	return lf, nil
}

// pnpmImporter is a workspace package in pnpm-lock.yaml.
type pnpmImporter struct {
	Specifiers           map[string]string `yaml:"specifiers"` // lockfile v5
	Dependencies         map[string]any    `yaml:"dependencies"`
	DevDependencies      map[string]any    `yaml:"devDependencies"`
	OptionalDependencies map[string]any    `yaml:"optionalDependencies"`
}

type pnpmSnapshot struct {
	Dependencies         map[string]string `yaml:"dependencies"`
	OptionalDependencies map[string]string `yaml:"optionalDependencies"`
}

type pnpmPackage struct {
	Resolution struct {
		Integrity string `yaml:"integrity"`
		Tarball   string `yaml:"tarball"`
	} `yaml:"resolution"`
	RequiresBuild bool         `yaml:"requiresBuild"`
	Graph         pnpmSnapshot `yaml:",inline"` // lockfile v6: the graph is here
}

type pnpmLockfile struct {
	LockfileVersion any
	Importers       map[string]pnpmImporter
	Root            pnpmImporter // single-package lockfiles of pnpm ≤ 7
	Packages        map[string]pnpmPackage
	Snapshots       map[string]pnpmSnapshot // lockfile v9
}

// decodePnpmLock decodes pnpm-lock.yaml in time linear in its size. The
// YAML decoder checks a mapping's keys for duplicates pair by pair, which
// is quadratic: 10,000 packages took half a second. So the large mappings
// (importers, packages, snapshots and an importer's dependencies) are
// walked here, their keys checked with a set, and only their small values
// go through the decoder.
func decodePnpmLock(dt []byte) (*pnpmLockfile, error) {
	if err := scaffold.CheckItems("it", dt); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(dt, &doc); err != nil {
		return nil, err
	}
	l := &pnpmLockfile{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return l, nil
	}
	root := doc.Content[0]
	// each value is decoded on its own, so the decoder's guard against
	// alias expansion counts per value: pnpm writes no aliases, refuse them
	if line := firstAlias(root); line > 0 {
		return nil, errors.Errorf("line %d: an anchor or alias (&name, *name); pnpm writes none", line)
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.Errorf("line %d: the lockfile is not a mapping", root.Line)
	}
	var err error
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content) && err == nil; i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			return nil, errors.Errorf("line %d: mapping key %q already defined at line %d", k.Line, k.Value, first)
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "lockfileVersion":
			err = v.Decode(&l.LockfileVersion)
		case "importers":
			l.Importers, err = decodeLarge(v, decodeImporter)
		case "packages":
			l.Packages, err = decodeLarge(v, decodeValue[pnpmPackage])
		case "snapshots":
			l.Snapshots, err = decodeLarge(v, decodeValue[pnpmSnapshot])
		}
	}
	if err == nil && l.Importers == nil {
		l.Root, err = decodeImporter(root) // pnpm ≤ 7: one importer, at the top
	}
	return l, err
}

// firstAlias is the line of the first anchor or alias under n, or 0.
func firstAlias(n *yaml.Node) int {
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n, stack = stack[len(stack)-1], stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			return n.Line
		}
		for i := len(n.Content) - 1; i >= 0; i-- { // in document order
			stack = append(stack, n.Content[i])
		}
	}
	return 0
}

// decodeLarge decodes a mapping of any size into a Go map, one value at a
// time; a duplicate key is an error, as the YAML decoder reports it.
func decodeLarge[T any](n *yaml.Node, value func(*yaml.Node) (T, error)) (map[string]T, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, errors.Errorf("line %d: expected a mapping", n.Line)
	}
	out := make(map[string]T, len(n.Content)/2)
	lines := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if first, dup := lines[k.Value]; dup {
			return nil, errors.Errorf("line %d: mapping key %q already defined at line %d", k.Line, k.Value, first)
		}
		lines[k.Value] = k.Line
		v, err := value(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	return out, nil
}

func decodeValue[T any](n *yaml.Node) (T, error) {
	var v T
	return v, n.Decode(&v)
}

func decodeImporter(n *yaml.Node) (pnpmImporter, error) {
	var imp pnpmImporter
	if n.Kind != yaml.MappingNode {
		return imp, n.Decode(&imp)
	}
	var err error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "specifiers":
			imp.Specifiers, err = decodeLarge(v, decodeValue[string])
		case "dependencies":
			imp.Dependencies, err = decodeLarge(v, decodeValue[any])
		case "devDependencies":
			imp.DevDependencies, err = decodeLarge(v, decodeValue[any])
		case "optionalDependencies":
			imp.OptionalDependencies, err = decodeLarge(v, decodeValue[any])
		}
		if err != nil {
			return imp, err
		}
	}
	return imp, nil
}

func parsePnpmLock(dt []byte) (*lockfile, error) {
	l, err := decodePnpmLock(dt)
	if err != nil {
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
	versions := map[string]map[string]string{} // importer → name → version (or link:)
	links := map[string]map[string]string{}    // importer → name → linked folder, or ""
	for dir, imp := range importers {
		links[dir] = map[string]string{}
		specs, prod := map[string]string{}, map[string]string{}
		for name, s := range imp.Specifiers {
			specs[name] = s
		}
		for i, deps := range []map[string]any{imp.Dependencies, imp.OptionalDependencies, imp.DevDependencies} {
			for name, d := range deps {
				version := ""
				switch v := d.(type) {
				case map[string]any: // v6+: {specifier, version}
					if s, ok := v["specifier"].(string); ok {
						specs[name] = s
					}
					version, _ = v["version"].(string)
				case string: // v5: the version, the range under specifiers
					version = v
				}
				links[dir][name] = ""
				if rel, ok := strings.CutPrefix(version, "link:"); ok {
					links[dir][name] = path.Join(dir, rel)
				}
				if i < 2 {
					prod[name] = version
				}
			}
		}
		lf.specifiers[dir] = specs
		versions[dir] = prod
	}
	lf.linked = func(importer, name string) (string, bool) {
		dir, ok := links[importer][name]
		return dir, ok
	}
	byKey := map[string]*lockedPackage{}
	for _, key := range sortedKeys(l.Packages) {
		p := l.Packages[key]
		name, version := splitNameVersion(strings.TrimPrefix(key, "/"))
		lf.packages = append(lf.packages, lockedPackage{Name: name, Version: version, Integrity: p.Resolution.Integrity,
			Resolved: p.Resolution.Tarball, Script: p.RequiresBuild})
	}
	for i := range lf.packages {
		byKey[lf.packages[i].Name+"@"+lf.packages[i].Version] = &lf.packages[i]
	}
	// a node is "importer:DIR" or "NAME@VERSION(PEERS)"; its edges come
	// from the importer, the v9 snapshot or the v6 package entry
	edge := func(from, name, version string) string {
		switch {
		case strings.HasPrefix(version, "link:"):
			return "importer:" + path.Clean(path.Join(strings.TrimPrefix(from, "importer:"), strings.TrimPrefix(version, "link:")))
		case version == "":
			return ""
		case strings.Contains(version, "@") && !strings.HasPrefix(version, "@") && (version[0] < '0' || version[0] > '9'):
			return version // an alias: name@version of another package
		case strings.HasPrefix(version, "@"):
			return version
		}
		return name + "@" + version
	}
	lf.production = func(imps []importer) []*lockedPackage {
		var out []*lockedPackage
		start := []string{"importer:" + imps[len(imps)-1].dir}
		for _, node := range walk(start, func(node string) []string {
			var deps map[string]string
			if dir, ok := strings.CutPrefix(node, "importer:"); ok {
				deps = versions[dir]
			} else if snap, ok := l.Snapshots[node]; ok {
				deps = merge(snap.Dependencies, snap.OptionalDependencies)
			} else if p, ok := l.Packages["/"+node]; ok {
				deps = merge(p.Graph.Dependencies, p.Graph.OptionalDependencies)
			}
			var next []string
			for _, name := range sortedKeys(deps) {
				if e := edge(node, name, deps[name]); e != "" {
					next = append(next, e)
				}
			}
			return next
		}) {
			if strings.HasPrefix(node, "importer:") {
				continue
			}
			name, version := splitNameVersion(node)
			if pkg := byKey[name+"@"+version]; pkg != nil {
				out = append(out, pkg)
			}
		}
		return out
	}
	return lf, nil
}

// berryEntry is what the preset reads of a yarn berry lockfile entry.
type berryEntry struct {
	Version, Resolution, Checksum      string
	Dependencies, OptionalDependencies map[string]string
}

// readBerryLock reads yarn berry's lockfile, a YAML document in the fixed
// shape yarn writes (entries at column 0, their fields indented two spaces,
// dependencies four), line by line: the preset reads every build's
// lockfile, and a YAML decoder took 2 ms for a 1,200-line one.
func readBerryLock(dt []byte) (map[string]berryEntry, error) {
	l := map[string]berryEntry{}
	var header string
	var cur *berryEntry
	section := ""
	flush := func() {
		if cur != nil {
			l[header] = *cur
		}
	}
	n := -1
	for line := range strings.Lines(string(dt)) {
		n++
		line = strings.TrimSuffix(line, "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if strings.HasPrefix(line[indent:], "\t") {
			return nil, errors.Errorf("line %d is indented with a tab", n+1)
		}
		key, value, err := berryField(trimmed)
		if err != nil {
			return nil, errors.Wrapf(err, "line %d", n+1)
		}
		switch {
		case indent == 0:
			if value != "" {
				return nil, errors.Errorf("line %d is neither an entry (\"name@range\":) nor one of its fields", n+1)
			}
			flush()
			if _, dup := l[key]; dup {
				return nil, errors.Errorf("line %d: entry %q is already defined", n+1, key)
			}
			header, cur, section = key, &berryEntry{}, ""
		case cur == nil:
			return nil, errors.Errorf("line %d is a field outside any entry", n+1)
		case indent == 2:
			section = ""
			switch key {
			case "version":
				cur.Version = value
			case "resolution":
				cur.Resolution = value
			case "checksum":
				cur.Checksum = value
			case "dependencies", "optionalDependencies":
				if value == "" {
					section = key
				}
			}
		case indent == 4 && section == "dependencies":
			cur.Dependencies = setKey(cur.Dependencies, key, value)
		case indent == 4 && section == "optionalDependencies":
			cur.OptionalDependencies = setKey(cur.OptionalDependencies, key, value)
		}
	}
	flush()
	return l, nil
}

// berryField splits `key: value`, `"quoted key": "quoted value"` or
// `key:` (a mapping follows).
func berryField(s string) (key, value string, err error) {
	rest := s
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", "", errors.New("an unterminated quoted key")
		}
		key, _ = strconv.Unquote(q)
		rest = s[len(q):]
		if !strings.HasPrefix(rest, ":") {
			return "", "", errors.New("a quoted key without a colon")
		}
		rest = rest[1:]
	} else {
		i := strings.Index(s, ": ")
		switch {
		case i >= 0:
			key, rest = s[:i], s[i+1:]
		case strings.HasSuffix(s, ":"):
			key, rest = strings.TrimSuffix(s, ":"), ""
		default:
			return "", "", errors.New("no colon after the key")
		}
	}
	value = strings.TrimSpace(rest)
	if strings.HasPrefix(value, `"`) {
		if value, err = strconv.Unquote(value); err != nil {
			return "", "", errors.New("a badly quoted value")
		}
	}
	return key, value, nil
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func parseBerryLock(dt []byte) (*lockfile, error) {
	l, err := readBerryLock(dt)
	if err != nil {
		return nil, err
	}
	if _, ok := l["__metadata"]; !ok {
		return nil, errors.New("it has no __metadata entry")
	}
	lf := &lockfile{keys: map[string]bool{}}
	entries := map[string]*lockedPackage{} // by each key of its header
	for _, header := range sortedKeys(l) {
		if header == "__metadata" {
			continue
		}
		e := l[header]
		name, _ := splitNameVersion(e.Resolution)
		pkg := &lockedPackage{Name: name, Version: e.Version, Integrity: e.Checksum, deps: merge(e.Dependencies, e.OptionalDependencies)}
		if strings.Contains(e.Resolution, "@workspace:") {
			pkg.Version = "" // a workspace: walked through, not listed
		}
		for _, k := range strings.Split(header, ",") {
			k = strings.TrimSpace(k)
			lf.keys[k] = true
			entries[k] = pkg
		}
		if pkg.Version != "" {
			lf.packages = append(lf.packages, *pkg)
		}
	}
	walkAll := yarnWalk(entries, func(name, rng string) string {
		if strings.Contains(rng, ":") {
			return name + "@" + rng // npm:..., workspace:..., patch:...
		}
		return name + "@npm:" + rng
	})
	// a workspace app's production install is focused on it
	lf.production = func(imps []importer) []*lockedPackage { return walkAll(imps[len(imps)-1:]) }
	return lf, nil
}

// yarnWalk is the production walk of yarn's lockfiles: entries are keyed
// "name@range", and key turns a dependency's name and range into one.
func yarnWalk(entries map[string]*lockedPackage, key func(name, rng string) string) func([]importer) []*lockedPackage {
	return func(imps []importer) []*lockedPackage {
		var start []string
		for _, imp := range imps {
			ranges := merge(imp.pkg.Dependencies, imp.pkg.OptionalDependencies)
			for _, name := range prodDeps(imp.pkg) {
				start = append(start, key(name, ranges[name]))
			}
		}
		var out []*lockedPackage
		listed := map[*lockedPackage]bool{}
		for _, k := range walk(start, func(k string) []string {
			e := entries[k]
			if e == nil {
				return nil
			}
			var next []string
			for _, name := range sortedKeys(e.deps) {
				next = append(next, key(name, e.deps[name]))
			}
			return next
		}) {
			if e := entries[k]; e != nil && e.Version != "" && !listed[e] {
				listed[e] = true
				out = append(out, e)
			}
		}
		return out
	}
}

// onLinux reports whether npm installs p on some Linux platform.
func onLinux(p *npmLockPackage) bool {
	if p == nil {
		return false
	}
	cpu := goarches(stringList(p.CPU))
	return allows(stringList(p.OS), "linux") && (cpu == nil || len(cpu) > 0)
}

// stringList reads a list of strings, or one string, and ignores
// anything else: a field npm writes as a list.
func stringList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	return nil
}

// parseYarnLock reads yarn 1's own format: unindented "key, key:" headers,
// each followed by indented fields ("  version \"1.2.3\"") and dependency
// blocks ("  dependencies:" then "    name \"range\"").
func parseYarnLock(dt []byte) (*lockfile, error) {
	lf := &lockfile{keys: map[string]bool{}}
	entries := map[string]*lockedPackage{}
	var cur *lockedPackage
	inDeps := false
	n := -1
	for line := range strings.Lines(string(dt)) {
		n++
		line = strings.TrimSuffix(line, "\n")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case line[0] != ' ':
			if !strings.HasSuffix(trimmed, ":") {
				return nil, errors.Errorf("line %d is neither an entry (\"name@range:\") nor one of its fields", n+1)
			}
			cur, inDeps = &lockedPackage{}, false
			for _, k := range strings.Split(strings.TrimSuffix(trimmed, ":"), ",") {
				k = strings.Trim(strings.TrimSpace(k), `"`)
				lf.keys[k] = true
				entries[k] = cur
				cur.Name, _ = splitNameVersion(k)
			}
		case cur == nil:
			return nil, errors.Errorf("line %d is a field outside any entry", n+1)
		case strings.HasPrefix(line, "    ") && inDeps:
			name, rng, _ := strings.Cut(trimmed, " ")
			if cur.deps == nil {
				cur.deps = map[string]string{}
			}
			cur.deps[strings.Trim(name, `"`)] = strings.Trim(strings.TrimSpace(rng), `"`)
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			k, v, _ := strings.Cut(trimmed, " ")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			inDeps = k == "dependencies:" || k == "optionalDependencies:"
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
	seen := make(map[*lockedPackage]bool, len(entries))
	lf.packages = make([]lockedPackage, 0, len(entries))
	for _, k := range sortedKeys(entries) {
		if e := entries[k]; !seen[e] {
			seen[e] = true
			lf.packages = append(lf.packages, *e)
		}
	}
	lf.production = yarnWalk(entries, func(name, rng string) string { return name + "@" + rng })
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
func (l *lockfile) check(pm manager, importers []importer, ws *workspace) error {
	if l.unchecked {
		return nil
	}
	var missing []string
	resolved := resolutionNames(importers[0].pkg.Resolutions)
	for _, imp := range importers {
		for _, dep := range declared(imp.pkg) {
			if (pm.name == yarn || pm.name == yarnBerry) && resolved[dep.name] {
				continue // yarn --frozen-lockfile / --immutable checks it
			}
			if ws.has(dep.name) && pm.name == yarn {
				continue // yarn 1 links a workspace package and records no entry
			}
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
	return fmt.Errorf("%s is out of sync with package.json: it does not record %s (run %s install and commit %s)",
		pm.lockfile, scaffold.Few(missing), pm.tool(), pm.lockfile)
}

func (l *lockfile) records(pm manager, dir string, dep dependency) bool {
	switch pm.name {
	case npm, pnpm:
		return l.specifiers[dir][dep.name] == dep.spec
	case bun:
		// bun install --frozen-lockfile takes a range that changed when
		// the version it locked is still in it
		got, ok := l.specifiers[dir][dep.name]
		return ok && (got == dep.spec || satisfies(l.locked(dir, dep.name), dep.spec))
	default: // yarn classic and berry: entries keyed "name@range"
		return l.keys[dep.name+"@"+dep.spec] || l.keys[dep.name+"@npm:"+dep.spec]
	}
}

// resolutionNames are the packages yarn's resolutions replace, from keys
// such as "sax", "**/sax", "parent/@scope/sax" or "sax@^1.5.0".
func resolutionNames(resolutions map[string]string) map[string]bool {
	names := map[string]bool{}
	for key := range resolutions {
		parts := strings.Split(key, "/")
		name := parts[len(parts)-1]
		if len(parts) > 1 && strings.HasPrefix(parts[len(parts)-2], "@") {
			name = parts[len(parts)-2] + "/" + name
		}
		if i := strings.LastIndexByte(name, '@'); i > 0 {
			name = name[:i]
		}
		names[name] = true
	}
	return names
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
