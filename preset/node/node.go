// Package node is the node preset: it reads package.json, the lockfile and
// the package manager's config from the build context and fills the
// installs (npm, yarn classic, yarn berry, pnpm, bun), caches, test and
// build commands and a safe runtime (node as PID 1, or bun for an app
// that runs on bun; an unprivileged user; NODE_ENV=production).
package node

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/distribution/reference"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// Provider is the node preset.
type Provider struct{}

// The node preset's own lint rules.
var (
	NodeEnvNotProduction = plan.NewRule("NodeEnvNotProduction", "NODE_ENV is not production in the release: libraries run their development code paths.")
	// StartCommandGuess: the preset set a start command, but scripts.start
	// said something else; the release may not start as the app expects.
	StartCommandGuess = plan.NewRule("StartCommandGuess", "The preset's start command differs from what scripts.start runs.")
)

func (Provider) Name() string { return "node" }

func (Provider) Rules() []*plan.Rule {
	return []*plan.Rule{NodeEnvNotProduction, StartCommandGuess, NodeVersionMismatch, FetchUnavailable}
}

// Files: the manifests, lockfiles and package-manager config an install
// reads, and the app's own package.json in a workspace; for an app of
// bun's without a test script, its test files at the usual places.
func (Provider) Files(p *plan.Plan, read map[string][]byte) []string {
	read = scaffold.Decoded(read, encoding)
	files := []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
		"pnpm-lock.yaml", "pnpm-workspace.yaml", ".yarnrc.yml", ".yarnrc", ".npmrc", ".pnpmfile.cjs",
		"bun.lock", "bun.lockb", "bunfig.toml"}
	app := path.Clean(p.App.Value)
	files = append(files, bunTestsToFind(read, app)...)
	if app != "." {
		files = append(files, path.Join(app, "package.json"))
		// once the root says where the workspace's packages are: their
		// manifests, for the packages the app uses, and the root's tools
		var root packageJSON
		if dt, ok := read["package.json"]; ok && readJSON(dt, &root) == nil {
			for _, g := range workspaceGlobs(read, root) {
				files = append(files, path.Join(g, "package.json"))
			}
			files = append(files, rootTools...)
		}
	}
	files = append(files, versionFiles(app)...)
	return append(files, scaffold.PinFiles(app)...)
}

// lockfileNames are the lockfiles the preset reads, by manager.
var lockfileNames = map[string]bool{"package-lock.json": true, "npm-shrinkwrap.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"bun.lock": true, "bun.lockb": true}

// PackageFiles: the package.json files and the lockfile among a
// Stagefile's own manifests.
func (Provider) PackageFiles(p *plan.Plan) []string {
	var names []string
	lock := false
	for _, m := range p.Dependencies.Manifests {
		base := path.Base(m.Value)
		if path.Dir(path.Clean(m.Value)) == "." && (base == "package.json" || lockfileNames[base]) {
			names = append(names, path.Clean(m.Value))
			lock = lock || lockfileNames[base]
		}
	}
	if !lock {
		return nil
	}
	if app := path.Clean(p.App.Value); app != "." {
		names = append(names, path.Join(app, "package.json"))
	}
	return names
}

// ListPackages reads the production packages of a Stagefile without
// the preset from its package.json and lockfile.
func (Provider) ListPackages(p *plan.Plan, files map[string][]byte) ([]plan.Package, plan.Origin, bool) {
	files = scaffold.Decoded(files, encoding)
	var pkg, app packageJSON
	if readJSON(files["package.json"], &pkg) != nil {
		return nil, plan.Origin{}, false
	}
	app = pkg
	appDir := path.Clean(p.App.Value)
	if appDir != "." && readJSON(files[path.Join(appDir, "package.json")], &app) != nil {
		return nil, plan.Origin{}, false
	}
	pm, err := detectManager(files, pkg)
	if err != nil {
		return nil, plan.Origin{}, false
	}
	lock, err := parseLockfile(pm, files[pm.lockfile])
	if err != nil || lock.unchecked {
		return nil, plan.Origin{}, false
	}
	imps := []importer{{dir: ".", pkg: pkg}}
	if appDir != "." {
		imps = append(imps, importer{dir: appDir, pkg: app})
	}
	o := plan.Origin{Kind: plan.Default, At: p.Dependencies.At, From: pm.lockfile + ", production dependencies"}
	return packagesOf(lock.production(imps), libcOf(p)), o, true
}

// packagesOf lists what ships, leaving out the optional packages the
// install skips on Linux with libc: those for another OS or C library, and
// those for one CPU are marked with it.
func packagesOf(locked []*lockedPackage, libc string) []plan.Package {
	var out []plan.Package
	for _, pkg := range locked {
		if !allows(pkg.OS, "linux") || !allows(pkg.Libc, libc) {
			continue
		}
		out = append(out, plan.Package{Ecosystem: "npm", Name: pkg.Name, Version: pkg.Version,
			Integrity: pkg.Integrity, Download: spec.Redact(pkg.Resolved), License: pkg.License, Arch: goarches(pkg.CPU)})
	}
	return out
}

// libcOf is the C library of the app's images, in npm's name.
func libcOf(p *plan.Plan) string {
	if strings.Contains(p.Release.Image.Value+p.Image.Value, "alpine") {
		return "musl"
	}
	return "glibc"
}

// packageJSON is what the preset reads from package.json.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Main    string `json:"main"`
	// Files and Exports say what a package's users read (a workspace
	// package's outputs).
	Files            json.RawMessage   `json:"files"`
	Exports          json.RawMessage   `json:"exports"`
	PeerDependencies map[string]string `json:"peerDependencies"`
	PackageManager   string            `json:"packageManager"`
	// Module is the ESM entry; bun init makes it the app's TypeScript
	// file ("module": "index.ts").
	Module               string            `json:"module"`
	Scripts              map[string]string `json:"scripts"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	Workspaces           json.RawMessage   `json:"workspaces"`
	// Resolutions (yarn) replace what a range resolves to, so yarn.lock
	// keys it by the replacement (a patch, another version).
	Resolutions map[string]string `json:"resolutions"`
	Engines     struct {
		Node string `json:"node"`
	} `json:"engines"`
}

// filler carries one Fill.
type filler struct {
	*scaffold.Filler
	// unused are the folders of the workspace packages a scoped app does
	// not use: the installs read their manifests, the release has no use
	// for them.
	unused []string
	// bun is the bun release an app of bun's installs and runs on, and
	// bunWhy what said so.
	bun, bunWhy string
}

// Fill fills what the Stagefile left out. Everything the user wrote wins,
// field by field.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{Filler: scaffold.New("node", p, facts)}
	err := f.fill()
	return f.Warnings, err
}

func (f *filler) fill() error {
	if err := f.Decode(encoding); err != nil {
		return err
	}
	p, files := f.P, f.Facts.Files
	at := p.Preset.Origin.At
	root, ok := files["package.json"]
	if !ok {
		return f.FailAt(at, "preset node needs a package.json at the root of the build context (is it excluded by .dockerignore?)")
	}
	var pkg packageJSON
	if err := readJSON(root, &pkg); err != nil {
		return f.FailAt(at, "preset node could not read package.json: %v (fix the JSON)", err)
	}
	appDir := path.Clean(p.App.Value)
	app := pkg
	if appDir != "." {
		app = packageJSON{} // decoding into a copy of the root's would merge their maps
		dt, ok := files[path.Join(appDir, "package.json")]
		if !ok {
			return f.FailAt(p.App.Origin.At, "app %q has no package.json (point \"app\" at the workspace folder of the app to release)", appDir)
		}
		if err := readJSON(dt, &app); err != nil {
			return f.FailAt(at, "preset node could not read %s/package.json: %v (fix the JSON)", appDir, err)
		}
	}

	pm, err := detectManager(files, pkg)
	if err != nil {
		return f.FailAt(at, "%s", err.Error())
	}
	rc := string(files[".yarnrc.yml"])
	if pm.name == yarnBerry && !regexp.MustCompile(`(?m)^nodeLinker:\s*["']?(node-modules|pnpm)["']?\s*(#.*)?$`).MatchString(rc) {
		// PnP keeps packages in yarn's cache, not in workdir: the release
		// would have no dependencies
		return f.FailAt(at, "yarn berry's Plug'n'Play linker is not supported: the release carries node_modules (add \"nodeLinker: node-modules\" to .yarnrc.yml)")
	}
	if v := berryMajor(pkg, rc); pm.name == yarnBerry && (v == "2" || v == "3") && p.Dependencies.Production == nil &&
		!strings.Contains(rc, "plugin-workspace-tools") {
		return f.FailAt(at, "yarn %s has no \"yarn workspaces focus\", which the production install runs (yarn 4 has it: corepack use yarn@4; or add the plugin: yarn plugin import workspace-tools, and commit .yarnrc.yml and .yarn/plugins)", v)
	}
	lock, err := parseLockfile(pm, files[pm.lockfile])
	if err != nil {
		return f.FailAt(at, "%s is not a lockfile %s can read: %v (run %s install and commit %s)", pm.lockfile, pm.tool(), err, pm.tool(), pm.lockfile)
	}
	importers := []importer{{dir: ".", pkg: pkg}}
	if appDir != "." {
		importers = append(importers, importer{dir: appDir, pkg: app})
	}
	// the workspace's packages, for an app of one
	var ws *workspace
	wsWhy := ""
	if appDir != "." {
		ws, wsWhy = readWorkspace(files, workspaceGlobs(files, pkg))
	}
	if err := lock.check(pm, importers, ws); err != nil {
		return f.FailAt(at, "%s", err.Error())
	}
	if pm.name == bun {
		if f.bun, f.bunWhy, err = bunVersion(pkg, pm, lock); err != nil {
			return f.FailAt(at, "%s", err.Error())
		}
	}
	if !lock.unchecked {
		p.Dependencies.PackagesFrom = f.Origin(pm.lockfile + ", production dependencies")
		p.Dependencies.Packages = packagesOf(lock.production(importers), libcOf(f.P))
	}
	f.credentials(pm, lock)
	members := f.scope(pm, pkg, app, appDir, lock, ws, wsWhy)
	f.crossInstall(pm, lock)
	f.fetch(pm, lock)
	cs, err := nodeConstraints(files, pkg, app, appDir)
	if err != nil {
		return f.FailAt(at, "%s", err.Error())
	}
	if err := f.image(cs); err != nil {
		return err
	}
	f.dependencies(pm, pkg, appDir, rc)
	f.workspaceBuild(pm, app, appDir, members)
	f.scripts(pm, app, appDir)
	f.release(pm, app)
	f.checkVersions(cs)
	return nil
}

// image picks the official slim image of the newest LTS line the app
// accepts, when the Stagefile names none.
func (f *filler) image(cs []constraint) error {
	p := f.P
	if p.Image.Set() {
		return nil
	}
	m, ok := defaultMajor(cs)
	if !ok {
		var says []string
		for _, c := range cs {
			says = append(says, fmt.Sprintf("%s says %s", c.from, c.text))
		}
		return f.FailAt(p.Preset.Origin.At, "no Node.js line this frontend knows satisfies the app (%s); write image:, e.g. image: node:22-slim", strings.Join(says, ", "))
	}
	why := fmt.Sprintf("the newest LTS line (%d)", m.n)
	if m.lts == "" {
		why = fmt.Sprintf("the newest line (%d)", m.n)
	}
	if len(cs) == 0 {
		why += ": nothing pins one (engines.node, .nvmrc, .node-version, .tool-versions, mise.toml)"
	}
	if len(cs) > 0 {
		var from []string
		for _, c := range cs {
			from = append(from, c.from+" "+c.text)
		}
		why += " that " + strings.Join(from, " and ") + " accepts"
	}
	p.Image = plan.Value[string]{Value: fmt.Sprintf("node:%d-slim", m.n), Origin: f.Origin(why)}
	return nil
}

// checkVersions warns, at the image line, when an image's Node.js is one
// the app does not accept.
func (f *filler) checkVersions(cs []constraint) {
	if len(cs) == 0 || f.Facts.Image == nil {
		return
	}
	seen := map[string]bool{}
	for _, v := range []plan.Value[string]{f.P.Image, f.P.Release.Image} {
		if !v.Set() || seen[v.Value] {
			continue
		}
		seen[v.Value] = true
		img, _ := f.Facts.Image(v.Value)
		ver, what := imageNodeVersion(v.Value, img)
		if ver == nil || accepts(cs, ver) {
			continue
		}
		for _, c := range cs {
			if !c.c.Check(ver) {
				fix := "write an image the app accepts"
				if m, ok := defaultMajor(cs); ok {
					fix = fmt.Sprintf("e.g. node:%d-slim", m.n)
				}
				f.Warn(NodeVersionMismatch, v.Origin, "%s has %s, but %s wants %s (%s)", v.Value, what, c.from, c.text, fix)
				break
			}
		}
	}
}

func (f *filler) dependencies(pm manager, pkg packageJSON, appDir, rc string) {
	p, files := f.P, f.Facts.Files
	d := &p.Dependencies
	if d.Manifests == nil {
		for _, m := range manifests(files, pm, pkg) {
			d.Manifests = append(d.Manifests, plan.Value[string]{Value: m.path, Origin: f.Origin(m.why)})
		}
	}
	if pm.name == bun && d.Tools == nil {
		d.Tools = plan.Argv(f.Origin("bun comes from npm's bun package, which ships its binary: bun "+f.bun+", "+f.bunWhy), bunTools(f.bun)...)
	}
	if d.Config == nil {
		for _, c := range configFiles(files, pm, rc) {
			d.Config = append(d.Config, plan.Value[string]{Value: c.path, Origin: f.Origin(c.why)})
		}
	}
	for _, name := range []string{".npmrc", ".yarnrc.yml", "bunfig.toml"} {
		if dt, ok := files[name]; ok {
			if key := committedToken(name, dt); key != "" {
				ref := "${NPM_TOKEN}"
				if name == "bunfig.toml" {
					ref = "$NPM_TOKEN"
				}
				f.Warn(plan.TokenInManifests, f.Origin(name), "%s holds a registry token (%s) committed to the repository; it is mounted for the steps that read it and never stored in a layer, but write it as %s and pass the token as a secret (secrets: [{id: npm_token, env: NPM_TOKEN}])", name, key, ref)
			}
		}
	}
	// npm asks the registry for a newer npm in every step that runs it,
	// and prints the answer in the middle of the tests' output
	plan.SetVar(&p.Env, "npm_config_update_notifier", "false", f.Origin("npm must not look for a newer npm in every step"))
	// no terminal and no one to answer: a CI run. Without it vitest and
	// react-scripts test start in watch mode and the build never ends
	plan.SetVar(&p.Env, "CI", "true", f.Origin("the steps run unattended: test runners (vitest, react-scripts test) must not watch for changes"))
	// a node_modules in the context (the developer's own, for their
	// platform) would replace the installed one when the source is copied
	p.ExcludeFromSource("**/node_modules", f.Origin("installed by the dependencies step, not copied from the context"))
	o := f.Origin(pm.lockfile + " → " + pm.tool())
	prod, dev, caches := pm.installs(appDir)
	if pm.corepack() {
		// corepack provides the pinned (or lockfile's) yarn or pnpm; the
		// shims it installs stay for the installs, test and build
		enable := [][]string{{"corepack", "enable"}}
		if !pm.pinned {
			enable[0] = append(enable[0], pm.tool())
		} else if corepackSpec.MatchString(pkg.PackageManager) {
			// fetched here, once: the installs run after a lockfile change
			// would download it again (corepack's cache is in this layer)
			enable = append(enable, []string{"corepack", "install", "-g", pkg.PackageManager})
		}
		if d.Tools == nil {
			d.Tools = plan.Argv(f.Origin(pm.tool()+" comes from corepack"), enable...)
		}
		plan.SetVar(&p.Env, "COREPACK_ENABLE_DOWNLOAD_PROMPT", "0", f.Origin("corepack must not ask before fetching "+pm.tool()))
		if !pm.pinned {
			// without packageManager corepack would fetch the registry's
			// newest release, which changes under the build (and may not
			// install this lockfile the same way): take the version the
			// image's corepack names instead
			plan.SetVar(&p.Env, "COREPACK_DEFAULT_TO_LATEST", "0", f.Origin("package.json pins no "+pm.tool()+" (packageManager): the image's corepack default, not the newest release"))
		}
	}
	if d.Production == nil {
		d.Production = plan.Argv(o, prod...)
	}
	if d.Development == nil {
		d.Development = plan.Argv(o, dev...)
	}
	if d.Unshipped == nil {
		// the app reads node_modules; the SBOM attestation lists what it holds
		d.Unshipped = append(d.Unshipped, plan.Value[string]{Value: pm.lockfile, Origin: f.Origin("the lockfile: read by the installs, not by the app")})
		if pm.name == pnpm {
			for _, state := range []string{"node_modules/.modules.yaml", "node_modules/.pnpm-workspace-state*.json", "node_modules/.pnpm/lock.yaml"} {
				d.Unshipped = append(d.Unshipped, plan.Value[string]{Value: state, Origin: f.Origin("pnpm's install state: timestamps, read by the next install, not by the app")})
			}
		}
		for _, dir := range f.unused {
			d.Unshipped = append(d.Unshipped, plan.Value[string]{Value: dir, Origin: f.Origin("a workspace package the app does not use: the installs read its manifest, the app reads nothing of it")})
		}
		if pm.name == yarnBerry {
			// enableGlobalCache: false (yarn 2 and 3's default, kept when
			// migrating) puts yarn's cache in the project
			d.Unshipped = append(d.Unshipped,
				plan.Value[string]{Value: ".yarn/cache", Origin: f.Origin("yarn's package cache, when enableGlobalCache is false: node_modules holds what the app reads")},
				plan.Value[string]{Value: ".yarn/install-state.gz", Origin: f.Origin("yarn's install state, read by the next install, not by the app")})
		}
	}
	if d.Caches == nil {
		for _, c := range caches {
			d.Caches = append(d.Caches, plan.NewCache(c.path, c.sharing, f.Origin(c.why)))
		}
	}
}

func (f *filler) scripts(pm manager, app packageJSON, appDir string) {
	p := f.P
	script := func(name string) *plan.Command {
		v, ok := app.Scripts[name]
		if !ok || (name == "test" && strings.Contains(v, "no test specified")) {
			return nil
		}
		o := f.Origin("package.json scripts." + name)
		if pm.name == pnpm && appDir != "." && name == "build" && p.Build.Workspace == nil {
			// build the app (the folder the step runs in) and the workspace
			// packages it depends on, in order
			return plan.Argv(o, []string{"pnpm", "--filter", "{.}...", "run", "build"})
		}
		return plan.Argv(o, append(append([]string{}, pm.run...), name))
	}
	if p.Test.Run == nil && !p.Test.None.Set() {
		if pm.name == bun {
			p.Test.Run = f.bunTest(app, appDir)
		} else {
			p.Test.Run = script("test")
		}
	}
	f.testCaches(app)
	if p.Build.Run == nil {
		p.Build.Run = script("build")
		f.buildCaches(app)
	}
}

// toolCache is the directory tools find through find-cache-dir
// (babel-loader, webpack, terser, eslint-loader): node_modules/.cache.
const toolCache = "node_modules/.cache"

// testCaches keeps jest's and vitest's caches warm across builds, in no
// layer, whether the preset or the Stagefile wrote test.run: jest's
// default cache folder is /tmp/jest_<uid>, under the fresh tmpfs every
// step has, so a cache is mounted there (root's: steps run as root); the
// others are node_modules/.cache and node_modules/.vite.
func (f *filler) testCaches(app packageJSON) {
	p := f.P
	if p.Test.Run == nil || p.Test.Caches != nil {
		return
	}
	dir := p.AppDir()
	id := func(what string) plan.Value[string] {
		return plan.Value[string]{Value: "node-" + what + "/" + cacheName(app, dir), Origin: f.Origin("")}
	}
	add := func(path, what, why string) {
		c := plan.NewCache(path, "", f.Origin(why))
		c.ID = id(what)
		p.Test.Caches = append(p.Test.Caches, c)
	}
	if hasDep(app, "jest") || strings.Contains(app.Scripts["test"], "jest") {
		add(jestCache, "jest", "jest's transform cache, in its default folder for root")
	}
	if hasDep(app, "vitest") {
		add(path.Join(dir, "node_modules/.vite"), "vite-test", "vitest's results cache")
	}
	add(path.Join(dir, toolCache), "tools-test", "the test tools' caches (node_modules/.cache)")
}

// jestCache is jest's default cache folder for uid 0: os.tmpdir() + "/jest_"
// + the uid in base 36.
const jestCache = "/tmp/jest_0"

// scriptWords are a package.json script's words when it is one simple
// command: no quoting, expansion, operators or redirections, so splitting
// on spaces is what the shell would do. nil otherwise.
func scriptWords(script string) []string {
	if strings.ContainsAny(script, ";&|<>()$`\"'\\\n") {
		return nil
	}
	return strings.Fields(script)
}

// scriptCommand is the program a package.json script runs when it is one
// simple command, after any VAR=value and cross-env: arguments appended to
// "npm run" reach it. "" for anything else.
func scriptCommand(script string) string {
	for _, w := range scriptWords(script) {
		if w == "cross-env" || (strings.Contains(w, "=") && !strings.HasPrefix(w, "-")) {
			continue
		}
		return w
	}
	return ""
}

// buildCaches keeps the build tools' caches warm: webpack, babel-loader,
// terser and the like in node_modules/.cache, Next.js in .next/cache.
func (f *filler) buildCaches(app packageJSON) {
	p := f.P
	if p.Build.Run == nil || p.Build.Caches != nil {
		return
	}
	dir := p.AppDir()
	add := func(path, what, why string) {
		c := plan.NewCache(path, "", f.Origin(why))
		c.ID = plan.Value[string]{Value: "node-" + what + "/" + cacheName(app, dir), Origin: f.Origin("")}
		p.Build.Caches = append(p.Build.Caches, c)
	}
	add(path.Join(dir, toolCache), "tools-build", "the build tools' caches (webpack, babel-loader, terser)")
	if hasDep(app, "next") {
		add(path.Join(dir, ".next/cache"), "next", "Next.js's build cache")
	}
}

// cacheName keeps one app's tool caches apart from another's on the same
// daemon.
func cacheName(app packageJSON, dir string) string {
	if app.Name != "" {
		return app.Name
	}
	return dir
}

func hasDep(pkg packageJSON, name string) bool {
	_, dev := pkg.DevDependencies[name]
	_, prod := pkg.Dependencies[name]
	return dev || prod
}

func (f *filler) release(pm manager, app packageJSON) {
	r := &f.P.Release
	plan.SetVar(&r.Env, "NODE_ENV", "production", f.Origin("libraries such as express run their production code paths"))
	if v, ok := plan.Lookup(r.Env, "NODE_ENV"); ok && v.Value != "production" {
		f.Warn(NodeEnvNotProduction, v.Origin, "NODE_ENV=%s in the release: libraries such as express run their development code paths (use production)", v.Value)
	}
	if pm.name == bun && f.bunRelease(app) {
		return
	}
	runtime := f.runtimeImage()
	f.user(runtime)
	if !r.Entrypoint.Set() && !r.Cmd.Set() {
		main, from, flags, odd := startFile(app)
		switch {
		case from == "package.json main" && odd != "":
			f.Warn(StartCommandGuess, f.Origin(from), "scripts.start (%q) is not \"node FILE\", so the release starts package.json main (%s) instead; set release.cmd if that is not how the app starts", odd, main)
		case len(flags) > 0:
			f.Warn(StartCommandGuess, f.Origin(from), "%s passes node %s, which the release does not (node %s); add what the app needs to release.entrypoint, e.g. [node, %s]", strings.TrimPrefix(from, "package.json "), strings.Join(flags, " "), main, flags[0])
		}
		if ext := path.Ext(main); ext == ".ts" || ext == ".mts" || ext == ".cts" {
			f.Warn(StartCommandGuess, f.Origin(from), "the app would start from %s, TypeScript that node does not run; set release.cmd to the compiled file, e.g. [dist/index.js]", main)
		}
		if main != "" {
			o := f.Origin(from)
			if runtime != nil && runtime.Config != nil && startsProgram(runtime.Config.Config.Entrypoint, "node") ||
				runtime == nil && distrolessNode(f.runtimeRef()) {
				// distroless images start node themselves (/nodejs/bin/node)
				// and have no node on PATH: keep their entrypoint
				r.Cmd = plan.Value[[]string]{Value: []string{main}, Origin: o}
				return
			}
			r.Entrypoint = plan.Value[[]string]{Value: []string{"node"}, Origin: f.Origin("node as PID 1, so signals reach the app")}
			r.Cmd = plan.Value[[]string]{Value: []string{main}, Origin: o}
		} else if odd != "" && scriptCommand(odd) == "next" && hasDep(app, "next") {
			f.Warn(plan.UnknownStartCommand, f.Origin("package.json scripts.start"), "scripts.start runs %q: set release.entrypoint: [node] and release.cmd: [node_modules/next/dist/bin/next, start], and list what next start reads under build.outputs, e.g. [.next, public, next.config.mjs] (or build with output: \"standalone\"; docs/presets.md#nextjs)", odd)
		} else if odd != "" {
			f.Warn(plan.UnknownStartCommand, f.Origin("package.json scripts.start"), "cannot tell how the app starts: scripts.start (%q) is not \"node FILE\" and package.json has no main; set release.cmd, e.g. [node, dist/server.js]", odd)
		} else {
			f.Warn(plan.UnknownStartCommand, f.Origin(""), "cannot tell how the app starts (no \"start\": \"node FILE\" script nor \"main\" in package.json); set release.cmd, e.g. [node, dist/server.js]")
		}
	}
}

// nodeArch is node's name (process.arch, npm's --cpu) for a GOARCH.
var nodeArch = map[string]string{"amd64": "x64", "arm64": "arm64", "arm": "arm", "386": "ia32", "ppc64le": "ppc64", "s390x": "s390x", "riscv64": "riscv64"}

// portableScript is the check a multi-platform build runs on the build
// platform's install (plan.CrossInstall.Check).
//
//go:embed portable.js
var portableScript string

// bunPortableScript is portable.js walking bun's isolated store too
// (node_modules/.bun/NAME@VERSION/node_modules, bun's layout for
// workspaces) as it walks pnpm's .pnpm. A variant rather than a change:
// the script is part of the other managers' plans, and their steps' cache
// keys.
var bunPortableScript = strings.Replace(portableScript, `if (e.name === ".pnpm") {`, `if (e.name === ".pnpm" || e.name === ".bun") {`, 1)

// crossInstall lets a multi-platform build install natively on the build
// platform for the others when that gives the same files. npm's lockfile
// says it: npm picks each platform's optional packages (esbuild's,
// rollup's) from --cpu/--os, and no locked package may run an install
// script that would build for the wrong one. yarn's and pnpm's lockfiles
// record neither (and bun takes the platform from flags only), so for
// them the frontend checks the native install's tree before it decides.
func (f *filler) crossInstall(pm manager, lock *lockfile) {
	no := func(why string) {
		f.P.Dependencies.Cross = &plan.CrossInstall{Why: why, Origin: f.Origin(pm.lockfile)}
	}
	if pm.name != npm || lock.unchecked {
		why := pm.lockfile + ": " + pm.tool() + " records no install scripts or CPUs"
		if pm.name == bun {
			// bun.lock records both, but bun takes the platform to install
			// for from --cpu and --os only, not from the environment
			why = pm.lockfile + ": bun installs for another platform only with --cpu and --os, not from the environment"
		}
		check := portableScript
		if pm.name == bun {
			check = bunPortableScript
		}
		c := &plan.CrossInstall{Env: map[string][]plan.Var{}, Check: []string{"node", "-e", check},
			Why:    "no package installed on the build platform runs an install script or is for one CPU",
			Origin: f.Origin(why)}
		for goarch := range nodeArch {
			c.Env[goarch] = nil
		}
		f.P.Dependencies.Cross = c
		return
	}
	for _, pkg := range lock.packages {
		if pkg.Script {
			no(pkg.Name + " runs an install script") // e.g. a native addon compiled by node-gyp
			return
		}
	}
	libc := libcOf(f.P)
	c := &plan.CrossInstall{Env: map[string][]plan.Var{}, Why: "no package in " + pm.lockfile + " runs an install script",
		Origin: f.Origin(pm.lockfile + ": no install scripts")}
	for goarch, cpu := range nodeArch {
		c.Env[goarch] = []plan.Var{{Name: "npm_config_cpu", Value: cpu}, {Name: "npm_config_libc", Value: libc}, {Name: "npm_config_os", Value: "linux"}}
	}
	f.P.Dependencies.Cross = c
}

// runtimeImage inspects the release's base, when images can be inspected.
func (f *filler) runtimeImage() *plan.ImageInfo {
	ref := f.runtimeRef()
	if f.Facts.Image == nil || ref == "" {
		return nil
	}
	img, err := f.Facts.Image(ref)
	if err != nil {
		return nil // the conversion resolves the image again and reports the error there
	}
	return img
}

// runtimeRef is the release's image as the Stagefile names it, "" when
// it names none yet.
func (f *filler) runtimeRef() string {
	r := &f.P.Release
	if r.Image.Set() {
		return r.Image.Value
	}
	if f.P.Image.Set() {
		return f.P.Image.Value
	}
	return ""
}

// distrolessNode says whether ref is one of Google's distroless Node.js
// images, which start node themselves: what the preset goes by when it
// cannot read the image's config (stagefile eject and plan have no
// daemon), so that the release does not start a node its PATH lacks.
func distrolessNode(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	return err == nil && strings.HasPrefix(reference.Path(named), "distroless/nodejs") && reference.Domain(named) == "gcr.io"
}

// startsProgram: the image's entrypoint is the program itself
// (distroless node's /nodejs/bin/node).
func startsProgram(entrypoint []string, program string) bool {
	return len(entrypoint) == 1 && path.Base(entrypoint[0]) == program
}

// user picks an unprivileged user the runtime image has: the one its
// config already runs as, else node (node's official images), bun
// (bun's), else nonroot (distroless), else the app runs as root and the
// preset says so.
func (f *filler) user(img *plan.ImageInfo) {
	r := &f.P.Release
	if r.User.Set() || img == nil {
		return
	}
	if img.Config != nil {
		if u := img.Config.Config.User; u != "" && !isRoot(u) {
			r.User = plan.Value[string]{Value: u, Origin: f.Origin("the runtime image already runs as " + u)}
			return
		}
	}
	var users []plan.User
	if img.Users != nil {
		users, _ = img.Users()
	}
	for _, want := range []string{"node", "bun", "nonroot"} {
		for _, u := range users {
			if u.Name == want {
				r.User = plan.Value[string]{Value: u.Name, Origin: f.Origin("the runtime image's /etc/passwd has " + u.Name)}
				return
			}
		}
	}
	f.Warn(plan.RunsAsRoot, f.Origin(""), "the runtime image has no node or nonroot user and runs as root, so the app does too (set release.user)")
}

func isRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}

// startFile finds the file the app starts with: "start": "node [flags]
// FILE", else "main". flags are the node flags the start script passes
// (the release's entrypoint does not); odd is a start script that is not
// such a command, whose file the preset cannot tell.
func startFile(pkg packageJSON) (file, from string, flags []string, odd string) {
	// start:prod is where NestJS's and others' starters keep "node dist/main"
	// when start runs a dev tool (nest start, ts-node)
	for _, name := range []string{"start", "start:prod", "start:production"} {
		s := strings.TrimSpace(pkg.Scripts[name])
		if s == "" {
			continue
		}
		f := scriptWords(s)
		i := 1
		for i < len(f)-1 && strings.HasPrefix(f[i], "-") {
			i++
		}
		if len(f) >= 2 && f[0] == "node" && i == len(f)-1 && !strings.HasPrefix(f[i], "-") {
			return f[i], "package.json scripts." + name, f[1:i], ""
		}
		if name == "start" {
			odd = s
		}
	}
	if pkg.Main != "" {
		return pkg.Main, "package.json main", nil, odd
	}
	return "", "", nil, odd
}

// encoding is how the package managers read their files: Node.js decodes
// UTF-8, npm, yarn and pnpm drop a byte order mark, and bytes that are
// not UTF-8 read as U+FFFD; a UTF-16 package.json fails to parse (npm's
// EJSONPARSE), so the preset refuses it. CRLF line ends (git autocrlf on
// Windows) read as LF.
func encoding(name string) scaffold.Encoding {
	if scaffold.IsPinFile(name) {
		return scaffold.PinEncoding
	}
	tool := "npm, yarn and pnpm"
	switch path.Base(name) {
	case ".nvmrc", ".node-version":
		tool = "nvm and fnm"
	}
	return scaffold.Encoding{Tool: tool, BOM: true, Lossy: true}
}

// readJSON reads a file the preset decoded.
func readJSON(dt []byte, v any) error {
	return json.Unmarshal(dt, v)
}

// committedToken finds a literal registry token in .npmrc, .yarnrc.yml or
// bunfig.toml; one read from the environment (${NPM_TOKEN}, and in
// bunfig.toml $NPM_TOKEN) is fine.
func committedToken(name string, dt []byte) string {
	keys := []string{"_authToken", "_auth", "_password"}
	sep := "="
	switch name {
	case ".yarnrc.yml":
		keys, sep = []string{"npmAuthToken", "npmAuthIdent"}, ":"
	case "bunfig.toml":
		// registry = { url = "...", token = "..." }, or a password; a
		// user and password in the registry's URL
		keys = []string{"token", "password"}
	}
	for _, line := range strings.Split(string(dt), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if name == "bunfig.toml" && spec.HasCredentials(line) {
			return "a user and password in a registry URL in " + name
		}
		for _, k := range keys {
			for from := 0; ; {
				i := strings.Index(line[from:], k)
				if i < 0 {
					break
				}
				rest := strings.TrimSpace(line[from+i+len(k):])
				from += i + len(k)
				if !strings.HasPrefix(rest, sep) {
					continue
				}
				// the value's start only: each occurrence looks at its own
				v := strings.TrimLeft(strings.TrimPrefix(rest, sep), " \t\"'")
				ref := strings.HasPrefix(v, "${") || name == "bunfig.toml" && strings.HasPrefix(v, "$")
				if v != "" && !ref {
					return fmt.Sprintf("%s in %s", k, name)
				}
			}
		}
	}
	return ""
}

var yarnRelease = regexp.MustCompile(`(?m)^yarnPath:\s*["']?\S*yarn-(\d+)\.[^/\s"']*\.c?js`)

// berryMajor is the major version of yarn berry the project pins, from
// packageManager or .yarnrc.yml's yarnPath; "" when it pins none.
func berryMajor(pkg packageJSON, rc string) string {
	if v, ok := strings.CutPrefix(pkg.PackageManager, "yarn@"); ok {
		major, _, _ := strings.Cut(v, ".")
		return major
	}
	if m := yarnRelease.FindStringSubmatch(rc); m != nil {
		return m[1]
	}
	return ""
}

// corepackSpec is a packageManager value corepack installs: name@version,
// optionally with its hash.
var corepackSpec = regexp.MustCompile(`^(yarn|pnpm)@[0-9][0-9A-Za-z.+-]*$`)
