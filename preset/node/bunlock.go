package node

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/pkg/errors"
)

// bun.lock is bun's text lockfile (bun 1.1.39 and later, the default from
// bun 1.2): JSON with comments and trailing commas. Its "workspaces" map
// each workspace folder ("" for the root) to the ranges its package.json
// declared; its "packages" map a key, the path of the package in a
// hoisted node_modules tree ("hono", "bun-types/@types/node"), to an
// array whose first item is "name@resolution":
//
//	npm        ["name@1.2.3", registry ("" the default), {dependencies, os, cpu...}, integrity]
//	workspace  ["name@workspace:packages/shared"] (lockfileVersion 0: and an object)
//	folder     ["name@file:../x", {...}]      link ["name@link:x", {...}]
//	git        ["name@git+https://...", {...}, tag]   github ["name@github:user/repo#sha", {...}, tag]
//	tarball    ["name@https://x/y.tgz", {...}, integrity?]
//
// bun resolves a dependency of the package at key K as node would: the
// key K/NAME, else the same one level up, up to NAME; a workspace's
// dependencies from WORKSPACE-NAME/NAME, else NAME.

// bunLockMagic starts bun.lockb, bun's binary lockfile (before bun 1.2).
var bunLockMagic = []byte("#!/usr/bin/env bun\nbun-lockfile-format-v0\n")

// bunReads is the newest lockfileVersion the bun this frontend installs
// by default (defaultBun) reads.
const bunReads = 3

// maxBunNesting bounds how many packages deep a bun.lock key may nest, so
// that resolving a dependency (one lookup per level) stays linear in the
// lockfile's size. bun hoists: real keys nest a few levels.
const maxBunNesting = 64

type bunLockFile struct {
	LockfileVersion *int                         `json:"lockfileVersion"`
	Workspaces      map[string]bunWorkspace      `json:"workspaces"`
	Packages        map[string][]json.RawMessage `json:"packages"`
}

type bunWorkspace struct {
	Name                 string            `json:"name"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
}

// production are the ranges a production install follows.
func (w bunWorkspace) production() map[string]string {
	return merge(w.Dependencies, w.OptionalDependencies, w.PeerDependencies)
}

// bunInfo is a package entry's object: its dependencies and platforms.
type bunInfo struct {
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	OptionalPeers        []string          `json:"optionalPeers"`
	OS                   json.RawMessage   `json:"os"`
	CPU                  json.RawMessage   `json:"cpu"`
	HasInstallScript     bool              `json:"hasInstallScript"`
}

// bunNode is a key of bun.lock's packages as a path of package names:
// its parent is the key one level up; entry is the package at it (an
// index into the lockfile's packages), else -1, and workspace the folder
// of a workspace entry.
type bunNode struct {
	parent    int
	children  map[string]int
	entry     int
	workspace string
	linux     bool
	deps      map[string]string
	hasDeps   bool
}

// jsonc is JSON with comments and trailing commas as JSON, in two passes
// linear in its size: comments become spaces (strings kept as they are),
// then a comma before a closing bracket goes.
func jsonc(dt []byte) []byte {
	out := make([]byte, 0, len(dt))
	for i := 0; i < len(dt); i++ {
		c := dt[i]
		switch {
		case c == '"':
			// a string, escapes included, as it is
			j := i + 1
			for j < len(dt) && dt[j] != '"' {
				if dt[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(dt)-1)
			out = append(out, dt[i:j+1]...)
			i = j
		case c == '/' && i+1 < len(dt) && dt[i+1] == '/':
			for i < len(dt) && dt[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(dt) && dt[i+1] == '*':
			i += 2
			for i+1 < len(dt) && !(dt[i] == '*' && dt[i+1] == '/') {
				i++
			}
			i++
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	// the whitespace a comma's look-ahead passes ends at the next
	// character that counts, so every byte is looked at twice at most
	res := out[:0]
	inString := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inString:
			if c == '\\' && i+1 < len(out) {
				res = append(res, c)
				i++
				c = out[i]
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',':
			j := i + 1
			for j < len(out) && strings.IndexByte(" \t\r\n", out[j]) >= 0 {
				j++
			}
			if j < len(out) && (out[j] == '}' || out[j] == ']') {
				continue
			}
		}
		res = append(res, c)
	}
	return res
}

// splitBunID splits bun.lock's "name@resolution": a scope's "@" is part
// of the name, the next "@" ends it.
func splitBunID(id string) (name, res string, ok bool) {
	start := 0
	if strings.HasPrefix(id, "@") {
		start = 1
	}
	i := strings.IndexByte(id[start:], '@')
	if i <= 0 {
		return "", "", false
	}
	return id[:start+i], id[start+i+1:], true
}

// bunKeyNames splits a packages key into package names: a scope and the
// name after it are one.
func bunKeyNames(key string) []string {
	var names []string
	parts := strings.Split(key, "/")
	for i := 0; i < len(parts); i++ {
		if strings.HasPrefix(parts[i], "@") && i+1 < len(parts) {
			names = append(names, parts[i]+"/"+parts[i+1])
			i++
			continue
		}
		names = append(names, parts[i])
	}
	return names
}

func parseBunLockb(dt []byte) (*lockfile, error) {
	if !bytes.HasPrefix(dt, bunLockMagic) {
		return nil, errors.New("it does not start as bun's binary lockfile does (bun-lockfile-format-v0)")
	}
	// bun.lockb is bun's own memory layout, which the preset does not
	// read: bun install --frozen-lockfile checks it, and the SBOM comes
	// from elsewhere
	return &lockfile{unchecked: true, production: func([]importer) []*lockedPackage { return nil }}, nil
}

func parseBunLock(dt []byte) (*lockfile, error) {
	var l bunLockFile
	if err := json.Unmarshal(jsonc(dt), &l); err != nil {
		return nil, errors.Wrap(err, "invalid JSON")
	}
	if l.LockfileVersion == nil {
		return nil, errors.New("it has no lockfileVersion")
	}
	lf := &lockfile{specifiers: map[string]map[string]string{}, version: *l.LockfileVersion}
	if *l.LockfileVersion < 0 || *l.LockfileVersion > bunReads {
		// a format the preset does not know: bun install checks it
		lf.unchecked = true
		lf.production = func([]importer) []*lockedPackage { return nil }
		return lf, nil
	}
	if _, ok := l.Workspaces[""]; !ok {
		return nil, errors.New(`it has no root workspace ("workspaces": {"": ...})`)
	}
	for key, w := range l.Workspaces {
		dir := path.Clean(key)
		if key == "" {
			dir = "."
		}
		lf.specifiers[dir] = merge(w.Dependencies, w.DevDependencies, w.OptionalDependencies, w.PeerDependencies)
	}

	nodes := make([]bunNode, 1, len(l.Packages)+1)
	nodes[0] = bunNode{parent: -1, entry: -1, children: map[string]int{}}
	lf.packages = make([]lockedPackage, 0, len(l.Packages))
	for _, key := range sortedKeys(l.Packages) {
		raw := l.Packages[key]
		names := bunKeyNames(key)
		if len(names) > maxBunNesting {
			return nil, errors.Errorf("the entry %q nests %d packages deep, more than the %d the preset reads", printable(key), len(names), maxBunNesting)
		}
		n := 0
		for _, name := range names {
			if name == "" {
				return nil, errors.Errorf("the entry %q is not a path of package names", printable(key))
			}
			c, ok := nodes[n].children[name]
			if !ok {
				c = len(nodes)
				nodes = append(nodes, bunNode{parent: n, entry: -1, children: map[string]int{}})
				nodes[n].children[name] = c
			}
			n = c
		}
		var id string
		if len(raw) == 0 || json.Unmarshal(raw[0], &id) != nil {
			return nil, errors.Errorf("the entry %q does not start with \"name@resolution\"", printable(key))
		}
		name, res, ok := splitBunID(id)
		if !ok {
			return nil, errors.Errorf("the entry %q does not start with \"name@resolution\"", printable(key))
		}
		node := &nodes[n]
		node.linux = true
		switch {
		case strings.HasPrefix(res, "workspace:"):
			node.workspace = path.Clean(strings.TrimPrefix(res, "workspace:"))
			continue
		case strings.HasPrefix(res, "root:"):
			continue
		}
		lp := lockedPackage{Name: name}
		info := 1
		switch {
		case strings.HasPrefix(res, "file:"), strings.HasPrefix(res, "link:"):
			// a folder of the context, not a package that ships as such
			continue
		case strings.HasPrefix(res, "git+"), strings.HasPrefix(res, "github:"), strings.Contains(res, "://"), strings.HasSuffix(res, ".tgz"):
			lp.Resolved = res
			if strings.Contains(res, "://") && !strings.HasPrefix(res, "git+") && len(raw) > 2 {
				_ = json.Unmarshal(raw[2], &lp.Integrity)
			}
		default: // npm: a version
			if len(raw) < 4 {
				return nil, errors.Errorf("the entry %q has %d items, not 4 (name@version, registry, dependencies, integrity)", printable(key), len(raw))
			}
			lp.Version = res
			if json.Unmarshal(raw[1], &lp.Resolved) != nil || json.Unmarshal(raw[3], &lp.Integrity) != nil {
				return nil, errors.Errorf("the entry %q has a registry or integrity that is not a string", printable(key))
			}
			info = 2
		}
		if len(raw) <= info {
			return nil, errors.Errorf("the entry %q has no dependencies object", printable(key))
		}
		var in bunInfo
		if err := json.Unmarshal(raw[info], &in); err != nil {
			return nil, errors.Errorf("the entry %q: its dependencies object: %s", printable(key), oneLineErr(err))
		}
		lp.OS, lp.CPU, lp.Script = stringList(in.OS), stringList(in.CPU), in.HasInstallScript
		node.linux = allows(lp.OS, "linux") && (in.CPU == nil || len(goarches(lp.CPU)) > 0)
		node.deps, node.hasDeps = merge(in.Dependencies, in.OptionalDependencies, in.PeerDependencies), true
		node.entry = len(lf.packages)
		lf.packages = append(lf.packages, lp)
	}

	// resolve finds the node a dependency name of the node at n installs
	// from: at most maxBunNesting lookups
	resolve := func(n int, name string) int {
		for ; n >= 0; n = nodes[n].parent {
			if c, ok := nodes[n].children[name]; ok && (nodes[c].entry >= 0 || nodes[c].workspace != "") {
				return c
			}
		}
		return -1
	}
	// a workspace's dependencies resolve from its name's key
	wsNode := func(dir string) int {
		if dir == "." {
			return 0
		}
		n := 0
		for _, name := range bunKeyNames(l.Workspaces[dir].Name) {
			c, ok := nodes[n].children[name]
			if !ok {
				return 0
			}
			n = c
		}
		return n
	}
	workspaceKey := func(dir string) string {
		if dir == "." {
			return ""
		}
		return dir
	}
	lf.linked = func(importer, name string) (string, bool) {
		if _, ok := l.Workspaces[workspaceKey(importer)]; !ok {
			return "", false
		}
		c := resolve(wsNode(workspaceKey(importer)), name)
		if c < 0 {
			return "", false
		}
		return nodes[c].workspace, true
	}
	lf.locked = func(importer, name string) string {
		c := resolve(wsNode(workspaceKey(importer)), name)
		if c < 0 || nodes[c].entry < 0 {
			return ""
		}
		return lf.packages[nodes[c].entry].Version
	}
	// a node of the walk is a packages node, or a workspace by folder
	type step struct {
		node int
		ws   string
	}
	lf.production = func(imps []importer) []*lockedPackage {
		var out []*lockedPackage
		start := []step{{node: -1, ws: imps[len(imps)-1].dir}}
		for _, s := range walk(start, func(s step) []step {
			from, deps := s.node, nodes[max(s.node, 0)].deps
			if s.ws != "" {
				from, deps = wsNode(workspaceKey(s.ws)), l.Workspaces[workspaceKey(s.ws)].production()
			}
			var next []step
			for _, name := range sortedKeys(deps) {
				c := resolve(from, name)
				switch {
				case c < 0 || !nodes[c].linux:
				case nodes[c].workspace != "":
					if _, ok := l.Workspaces[workspaceKey(nodes[c].workspace)]; ok {
						next = append(next, step{node: -1, ws: nodes[c].workspace})
					}
				default:
					next = append(next, step{node: c})
				}
			}
			return next
		}) {
			if s.ws == "" && nodes[s.node].entry >= 0 {
				out = append(out, &lf.packages[nodes[s.node].entry])
			}
		}
		return out
	}
	return lf, nil
}

// satisfies reports whether version is in the npm range spec.
func satisfies(version, spec string) bool {
	c, err := semver.NewConstraint(spec)
	if err != nil {
		return false
	}
	v, err := semver.NewVersion(version)
	return err == nil && c.Check(v)
}
