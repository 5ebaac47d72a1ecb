package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// Package managers.
const (
	npm       = "npm"
	yarn      = "yarn" // classic, 1.x
	yarnBerry = "yarn-berry"
	pnpm      = "pnpm"
	bun       = "bun"
)

// manager is a package manager as the context declares it.
type manager struct {
	name     string
	lockfile string
	run      []string // how to run a script: npm run, yarn, pnpm
	pinned   bool     // packageManager names a version (corepack provides yarn and pnpm)
}

// tool is the command's name.
func (m manager) tool() string { return strings.TrimSuffix(m.name, "-berry") }

// corepack: yarn berry and pnpm come from corepack, as does a pinned
// yarn. bun does not: it comes from npm (see bunTools).
func (m manager) corepack() bool {
	return m.name != bun && (m.pinned || m.name == pnpm || m.name == yarnBerry)
}

var managers = map[string]manager{
	npm:       {name: npm, run: []string{"npm", "run"}},
	yarn:      {name: yarn, run: []string{"yarn"}},
	yarnBerry: {name: yarnBerry, run: []string{"yarn"}},
	pnpm:      {name: pnpm, run: []string{"pnpm"}},
	bun:       {name: bun, run: []string{"bun", "run"}},
}

// detectManager picks the package manager from packageManager, else from
// the lockfile. A lockfile that disagrees with packageManager is an error.
func detectManager(files map[string][]byte, pkg packageJSON) (manager, error) {
	lockfiles := map[string]string{}
	for _, f := range []string{"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json", "bun.lock", "bun.lockb"} {
		dt, ok := files[f]
		if !ok {
			continue
		}
		switch f {
		case "pnpm-lock.yaml":
			lockfiles[pnpm] = f
		case "yarn.lock":
			if isBerryLock(dt) {
				lockfiles[yarnBerry] = f
			} else {
				lockfiles[yarn] = f
			}
		case "bun.lock", "bun.lockb":
			// bun reads bun.lock when both are there (a bun.lockb left
			// from before bun 1.2)
			if _, ok := lockfiles[bun]; !ok {
				lockfiles[bun] = f
			}
		default:
			if _, ok := lockfiles[npm]; !ok {
				lockfiles[npm] = f
			}
		}
	}
	var pm manager
	if spec := pkg.PackageManager; spec != "" {
		name, version, _ := strings.Cut(spec, "@")
		if name == yarn && !strings.HasPrefix(version, "1.") {
			name = yarnBerry
		}
		var ok bool
		if pm, ok = managers[name]; !ok {
			return pm, fmt.Errorf("package.json's packageManager %q is not npm, yarn, pnpm or bun", spec)
		}
		pm.pinned = name != npm
		lf, ok := lockfiles[name]
		if !ok {
			return pm, fmt.Errorf("package.json pins %s but the build context has no %s lockfile (run %s install and commit the lockfile; check .dockerignore)",
				spec, pm.tool(), pm.tool())
		}
		pm.lockfile = lf
		return pm, nil
	}
	switch len(lockfiles) {
	case 0:
		return pm, fmt.Errorf("no lockfile in the build context: preset node installs exactly what a lockfile says (run npm install, yarn install, pnpm install or bun install and commit package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lock; check .dockerignore)")
	case 1:
		for name, lf := range lockfiles {
			pm = managers[name]
			pm.lockfile = lf
		}
		return pm, nil
	}
	var found []string
	for _, lf := range lockfiles {
		found = append(found, lf)
	}
	sort.Strings(found)
	return pm, fmt.Errorf("several lockfiles (%s): preset node cannot tell which package manager to use (delete the stale ones, or name one with \"packageManager\" in package.json)", strings.Join(found, ", "))
}

// isBerryLock: yarn 2+ lockfiles are YAML starting with __metadata (after
// comments); yarn 1's are not YAML and have no such entry.
func isBerryLock(dt []byte) bool {
	for line := range bytes.Lines(dt) {
		if t := bytes.TrimSpace(line); len(t) == 0 || t[0] == '#' {
			continue
		}
		return bytes.HasPrefix(line, []byte("__metadata:"))
	}
	return false
}

// file is a path the preset adds and why.
type file struct{ path, why string }

// manifests: package.json, the lockfile and every workspace's package.json
// — what an install reads and the app needs at run time, nothing else.
func manifests(files map[string][]byte, pm manager, pkg packageJSON) []file {
	lock := file{pm.lockfile, "the lockfile"}
	if pm.lockfile == "bun.lockb" {
		lock.why = "the lockfile, bun's binary one, which the preset does not read: bun install --frozen-lockfile checks it, and the SBOM is left to BuildKit's scanner (bun install --save-text-lockfile writes bun.lock)"
	}
	m := []file{{"package.json", "the package"}, lock}
	if _, ok := files["pnpm-workspace.yaml"]; ok && pm.name == pnpm {
		m = append(m, file{"pnpm-workspace.yaml", "the workspace's packages"})
	}
	for _, ws := range workspaceGlobs(files, pkg) {
		m = append(m, file{path.Join(ws, "package.json"), "a workspace (" + ws + ")"})
	}
	return m
}

// configFiles are the manager's settings the installs read but the app
// does not need at run time: mounted for the installs, never in a layer.
func configFiles(files map[string][]byte, pm manager, rc string) []file {
	var c []file
	if _, ok := files[".npmrc"]; ok && pm.name != yarnBerry {
		c = append(c, file{".npmrc", "the registry settings npm, yarn, pnpm and bun read (registry, peer deps)"})
	}
	if _, ok := files[".yarnrc"]; ok && pm.name == yarn {
		c = append(c, file{".yarnrc", "yarn's settings"})
	}
	if _, ok := files[".pnpmfile.cjs"]; ok && pm.name == pnpm {
		c = append(c, file{".pnpmfile.cjs", "pnpm's install hooks"})
	}
	if _, ok := files["bunfig.toml"]; ok && pm.name == bun {
		// also read by bun test and bun run ([test] preload): mounted for
		// every step, like the others
		c = append(c, file{"bunfig.toml", "bun's settings (registries, scopes, [install] and [test])"})
	}
	if pm.name == yarnBerry {
		if _, ok := files[".yarnrc.yml"]; ok {
			c = append(c, file{".yarnrc.yml", "yarn's settings (nodeLinker)"})
		}
		// a checked-in yarn release or plugins are part of what installs read
		for _, l := range strings.Split(rc, "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "yarnPath" && strings.Contains(v, ".yarn/releases") {
				c = append(c, file{".yarn/releases", "yarnPath in .yarnrc.yml"})
				break
			}
		}
		if strings.Contains(rc, ".yarn/plugins") {
			c = append(c, file{".yarn/plugins", "plugins in .yarnrc.yml"})
		}
	}
	return c
}

// workspaceGlobs reads workspace folders from package.json (npm, yarn) or
// pnpm-workspace.yaml.
func workspaceGlobs(files map[string][]byte, pkg packageJSON) []string {
	var globs []string
	if len(pkg.Workspaces) > 0 {
		if err := json.Unmarshal(pkg.Workspaces, &globs); err != nil {
			var obj struct {
				Packages []string `json:"packages"`
			}
			if json.Unmarshal(pkg.Workspaces, &obj) == nil {
				globs = obj.Packages
			}
		}
	}
	if dt, ok := files["pnpm-workspace.yaml"]; ok {
		var ws struct {
			Packages []string `yaml:"packages"`
		}
		if scaffold.CheckItems("pnpm-workspace.yaml", dt) == nil && yaml.Unmarshal(dt, &ws) == nil {
			globs = append(globs, ws.Packages...)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, g := range globs {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/")
		if g == "" || strings.HasPrefix(g, "!") || strings.Contains(g, "..") || path.IsAbs(g) || seen[g] {
			continue
		}
		seen[g] = true
		out = append(out, g)
	}
	return out
}

// cache is a cache the preset mounts and why.
type cache struct{ path, sharing, why string }

// installs returns the production and development installs and caches,
// focused on the app at dir when it is one workspace. Workspaces are
// selected by folder, never by package name: a name is whatever the
// context's package.json says.
func (m manager) installs(dir string) (prod, dev [][]string, caches []cache) {
	workspace := dir != "."
	switch m.name {
	case npm:
		p := []string{"npm", "ci", "--omit=dev", "--no-audit", "--no-fund"}
		// npm ci would delete node_modules and redo the production install
		// (native addons compiled again); npm install adds the dev packages
		// to it, reading the lockfile the production install checked and
		// writing nothing back
		d := []string{"npm", "install", "--include=dev", "--no-save", "--no-audit", "--no-fund"}
		if workspace {
			p = append(p, "--workspace", dir)
			// the development install also brings the workspace root's tools
			d = append(d, "--workspace", dir, "--include-workspace-root")
		}
		return [][]string{p}, [][]string{d}, []cache{{"/root/.npm", "", "npm's download cache"}}
	case yarn:
		return [][]string{{"yarn", "install", "--frozen-lockfile", "--production", "--non-interactive"}},
			[][]string{{"yarn", "install", "--frozen-lockfile", "--non-interactive"}},
			[]cache{{"/usr/local/share/.cache/yarn", "locked", "yarn's cache (locked: yarn 1's cache is not safe for concurrent writers)"}}
	case yarnBerry:
		p := [][]string{{"yarn", "workspaces", "focus", "--all", "--production"}}
		if workspace {
			// focus without a name installs the workspace of the folder it runs in
			p = [][]string{{"cd", dir}, {"yarn", "workspaces", "focus", "--production"}}
		}
		return p, [][]string{{"yarn", "install", "--immutable"}}, []cache{{"/root/.yarn/berry/cache", "", "yarn's global cache"}}
	case pnpm:
		store := "/root/.local/share/pnpm/store"
		p := []string{"pnpm", "install", "--prod", "--frozen-lockfile", "--store-dir", store}
		// adding dev dependencies makes pnpm rebuild node_modules, which it
		// asks to confirm on a terminal; a build has none
		d := []string{"pnpm", "install", "--frozen-lockfile", "--config.confirmModulesPurge=false", "--store-dir", store}
		if workspace {
			p = append(p, "--filter", pnpmSelector(dir))
			d = append(d, "--filter", pnpmSelector(dir))
		}
		return [][]string{p}, [][]string{d}, []cache{{store, "", "pnpm's content-addressed store"}}
	case bun:
		// --production installs peer dependencies too, as bun install does;
		// the development install adds the dev packages to that tree
		p := []string{"bun", "install", "--frozen-lockfile", "--production"}
		d := []string{"bun", "install", "--frozen-lockfile"}
		if workspace {
			// --filter by path selects the workspace in that folder and the
			// workspace packages it depends on; ./ adds the root's dev
			// tools to the development install, as npm's
			// --include-workspace-root does
			p = append(p, "--filter", "./"+dir)
			d = append(d, "--filter", "./"+dir, "--filter", "./")
		}
		return [][]string{p}, [][]string{d}, []cache{{bunCache, "", "bun's package cache (BUN_INSTALL_CACHE_DIR's default for root)"}}
	}
	return nil, nil, nil
}

// bunCache is bun's install cache for root, where the installs run.
const bunCache = "/root/.bun/install/cache"

// pnpmSelector selects the workspace in folder dir and the workspace
// packages it depends on.
func pnpmSelector(dir string) string { return "{./" + dir + "}..." }
