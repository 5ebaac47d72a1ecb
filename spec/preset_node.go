package spec

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// ContextFiles are files read from the build context for a preset, by
// path relative to the context. A path missing from the map is not there.
type ContextFiles map[string][]byte

// PresetFiles lists the context files a preset reads, so the frontend can
// fetch just these.
func (s *Spec) PresetFiles() []string {
	if s.Preset != "node" {
		return nil
	}
	files := []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
		"pnpm-lock.yaml", "pnpm-workspace.yaml", ".yarnrc.yml"}
	if s.App != "." {
		files = append(files, path.Join(s.App, "package.json"))
	}
	return files
}

// packageJSON is what the node preset reads from package.json.
type packageJSON struct {
	Name            string            `json:"name"`
	Main            string            `json:"main"`
	PackageManager  string            `json:"packageManager"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Workspaces      json.RawMessage   `json:"workspaces"`
}

// nodeManager is a package manager's commands and cache.
type nodeManager struct {
	name     string // npm, yarn, yarn-berry, pnpm
	lockfile string
	run      string // how to run a script: "npm run", "yarn", "pnpm"
	pinned   bool   // packageManager names a version: corepack provides it
}

// ApplyNodePreset fills what the user left out of s from package.json and
// the lockfile: manifests, install commands, caches, test and build
// commands and release defaults. Everything the user wrote wins.
func (s *Spec) ApplyNodePreset(files ContextFiles, runtimeUsers []string) ([]*Warning, error) {
	c := &checker{s: s}
	fail := func(format string, args ...any) ([]*Warning, error) {
		c.errorf("preset", format, args...)
		return c.warnings, c.errs
	}
	root, ok := files["package.json"]
	if !ok {
		return fail("preset node needs a package.json at the root of the build context (is it excluded by .dockerignore?)")
	}
	var pkg packageJSON
	if err := json.Unmarshal(root, &pkg); err != nil {
		return fail("preset node could not read package.json: %v (fix the JSON)", err)
	}
	app := pkg
	if s.App != "." {
		app = packageJSON{} // decoding into a copy of the root's would merge their maps
		dt, ok := files[path.Join(s.App, "package.json")]
		if !ok {
			c.errorf("app", "app %q has no package.json (point \"app\" at the workspace folder of the app to release)", s.App)
			return c.warnings, c.errs
		}
		if err := json.Unmarshal(dt, &app); err != nil {
			return fail("preset node could not read %s/package.json: %v (fix the JSON)", s.App, err)
		}
	}

	pm, err := detectManager(files, pkg)
	if err != nil {
		return fail("%s", err.Error())
	}
	if pm.name == "yarn-berry" && !regexp.MustCompile(`(?m)^nodeLinker:\s*"?(node-modules|pnpm)"?\s*$`).Match(files[".yarnrc.yml"]) {
		// PnP keeps packages in yarn's cache, not in workdir: the release
		// would have no dependencies
		return fail("yarn berry's Plug'n'Play linker is not supported: the release carries node_modules (add \"nodeLinker: node-modules\" to .yarnrc.yml)")
	}
	if err := checkLockfile(files, pm, pkg, ".", s.App, app); err != nil {
		return fail("%s", err.Error())
	}

	d := &s.Dependencies
	if d.Manifests == nil {
		d.Manifests = nodeManifests(files, pm, pkg)
	}
	workspace := s.App != "."
	if workspace && app.Name == "" && (pm.name == "yarn-berry" || pm.name == "pnpm") {
		c.errorf("app", "%s/package.json has no \"name\"; preset node installs a workspace app by name (add one)", s.App)
		return c.warnings, c.errs
	}
	prod, dev, caches := nodeInstall(pm, s.App, app.Name)
	if pm.pinned || pm.name == "pnpm" || pm.name == "yarn-berry" {
		// corepack provides the pinned (or lockfile's) yarn or pnpm; the
		// shims it installs stay for the test and build steps
		enable := "corepack enable"
		if !pm.pinned {
			enable += " " + strings.TrimSuffix(pm.name, "-berry")
		}
		prod, dev = enable+" && "+prod, enable+" && "+dev
		if s.Env == nil {
			s.Env = map[string]string{}
		}
		if _, ok := s.Env["COREPACK_ENABLE_DOWNLOAD_PROMPT"]; !ok {
			s.Env["COREPACK_ENABLE_DOWNLOAD_PROMPT"] = "0"
		}
	}
	if !s.Written("dependencies.production") {
		d.Production = prod
	}
	if !s.Written("dependencies.development") {
		d.Development = dev
	}
	if d.Caches == nil {
		d.Caches = caches
	}

	script := func(name string) string {
		v, ok := app.Scripts[name]
		if !ok || (name == "test" && strings.Contains(v, "no test specified")) {
			return ""
		}
		if pm.name == "pnpm" && workspace && name == "build" {
			// build the app and the workspace packages it depends on, in order
			return fmt.Sprintf("pnpm --filter %s... run build", app.Name)
		}
		return pm.run + " " + name
	}
	if !s.Written("test.run") {
		s.Test.Run = script("test")
	}
	if !s.Written("build.run") {
		s.Build.Run = script("build")
	}
	if !s.Written("build.outputs") && s.Build.Run != "" && len(s.Build.Outputs) == 0 {
		c.warnf("NoBuildOutputs", "preset", "the build step's outputs are not listed, so the release gets no build output (add build.outputs, e.g. [dist])")
	}

	r := &s.Release
	if r.Env == nil {
		r.Env = map[string]string{}
	}
	if _, ok := r.Env["NODE_ENV"]; !ok {
		r.Env["NODE_ENV"] = "production"
	}
	if !s.Written("release.user") {
		for _, u := range runtimeUsers {
			if u == "node" {
				r.User = "node"
			}
		}
	}
	if !s.Written("release.entrypoint") && !s.Written("release.cmd") {
		if main := startScript(app); main != "" {
			r.Entrypoint, r.Cmd = []string{"node"}, []string{main}
		} else {
			c.warnf("UnknownStartCommand", "preset", "cannot tell how the app starts (no \"start\": \"node FILE\" script nor \"main\" in package.json); set release.cmd, e.g. [node, dist/server.js]")
		}
	}
	return c.warnings, c.errs.err()
}

// detectManager picks the package manager from packageManager, else from
// the lockfile. A lockfile that disagrees with packageManager is an error.
func detectManager(files ContextFiles, pkg packageJSON) (nodeManager, error) {
	lockfiles := map[string]string{}
	for _, f := range []string{"pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json"} {
		if _, ok := files[f]; ok {
			switch f {
			case "pnpm-lock.yaml":
				lockfiles["pnpm"] = f
			case "yarn.lock":
				if strings.Contains(string(files[f]), "__metadata:") {
					lockfiles["yarn-berry"] = f
				} else {
					lockfiles["yarn"] = f
				}
			default:
				if _, ok := lockfiles["npm"]; !ok {
					lockfiles["npm"] = f
				}
			}
		}
	}
	managers := map[string]nodeManager{
		"npm":        {name: "npm", run: "npm run"},
		"yarn":       {name: "yarn", run: "yarn"},
		"yarn-berry": {name: "yarn-berry", run: "yarn"},
		"pnpm":       {name: "pnpm", run: "pnpm"},
	}
	var pm nodeManager
	if spec := pkg.PackageManager; spec != "" {
		name, version, _ := strings.Cut(spec, "@")
		if name == "yarn" && !strings.HasPrefix(version, "1.") {
			name = "yarn-berry"
		}
		var ok bool
		if pm, ok = managers[name]; !ok {
			return pm, fmt.Errorf("package.json's packageManager %q is not npm, yarn or pnpm", spec)
		}
		pm.pinned = name != "npm"
		lf, ok := lockfiles[name]
		if !ok {
			return pm, fmt.Errorf("package.json pins %s but the build context has no %s lockfile (run %s install and commit the lockfile; check .dockerignore)",
				spec, strings.TrimSuffix(name, "-berry"), strings.TrimSuffix(name, "-berry"))
		}
		pm.lockfile = lf
		return pm, nil
	}
	switch len(lockfiles) {
	case 0:
		return pm, fmt.Errorf("no lockfile in the build context: preset node installs exactly what a lockfile says (run npm install, yarn install or pnpm install and commit package-lock.json, yarn.lock or pnpm-lock.yaml; check .dockerignore)")
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

// nodeManifests: package.json, the lockfile, the manager's config and every
// workspace's package.json — what an install reads, and nothing else.
func nodeManifests(files ContextFiles, pm nodeManager, pkg packageJSON) []string {
	m := []string{"package.json", pm.lockfile}
	for _, f := range []string{"pnpm-workspace.yaml", ".yarnrc.yml"} {
		if _, ok := files[f]; ok {
			m = append(m, f)
		}
	}
	if pm.name == "yarn-berry" {
		// a checked-in yarn release or plugins are part of what installs read
		rc := string(files[".yarnrc.yml"])
		if strings.Contains(rc, "yarnPath:") {
			m = append(m, ".yarn/releases")
		}
		if strings.Contains(rc, ".yarn/plugins") {
			m = append(m, ".yarn/plugins")
		}
	}
	for _, ws := range workspaceGlobs(files, pkg) {
		m = append(m, path.Join(ws, "package.json"))
	}
	return m
}

// workspaceGlobs reads workspace folders from package.json (npm, yarn) or
// pnpm-workspace.yaml.
func workspaceGlobs(files ContextFiles, pkg packageJSON) []string {
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
		if yaml.Unmarshal(dt, &ws) == nil {
			globs = append(globs, ws.Packages...)
		}
	}
	var out []string
	for _, g := range globs {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/")
		if g == "" || strings.HasPrefix(g, "!") || strings.Contains(g, "..") || path.IsAbs(g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// nodeInstall returns the production and development installs and caches,
// focused on the app at dir (named name) when it is one workspace.
func nodeInstall(pm nodeManager, dir, name string) (prod, dev string, caches []Cache) {
	workspace := dir != "."
	switch pm.name {
	case "npm":
		focus := ""
		if workspace {
			focus = " --workspace " + dir
		}
		// the development install also brings the workspace root's tools
		devFocus := focus
		if workspace {
			devFocus += " --include-workspace-root"
		}
		return "npm ci --omit=dev --no-audit --no-fund" + focus, "npm ci --no-audit --no-fund" + devFocus, []Cache{{Path: "/root/.npm"}}
	case "yarn":
		return "yarn install --frozen-lockfile --production --non-interactive",
			"yarn install --frozen-lockfile --non-interactive",
			[]Cache{{Path: "/usr/local/share/.cache/yarn", Sharing: "locked"}}
	case "yarn-berry":
		focus := "yarn workspaces focus --all --production"
		if workspace {
			focus = "yarn workspaces focus --production " + name
		}
		return focus, "yarn install --immutable", []Cache{{Path: "/root/.yarn/berry/cache"}}
	default: // pnpm
		store := "--store-dir /root/.local/share/pnpm/store"
		filter := ""
		if workspace {
			filter = " --filter " + name + "..."
		}
		// adding dev dependencies makes pnpm rebuild node_modules, which it
		// asks to confirm on a terminal; a build has none
		return "pnpm install --prod --frozen-lockfile " + store + filter,
			"pnpm install --frozen-lockfile --config.confirmModulesPurge=false " + store + filter,
			[]Cache{{Path: "/root/.local/share/pnpm/store"}}
	}
}

var nodeStart = regexp.MustCompile(`^node\s+([^\s;&|]+)\s*$`)

// startScript finds the file the app starts with: "start": "node FILE",
// else "main".
func startScript(pkg packageJSON) string {
	if m := nodeStart.FindStringSubmatch(pkg.Scripts["start"]); m != nil {
		return m[1]
	}
	return pkg.Main
}
