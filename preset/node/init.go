package node

import (
	"encoding/json"
	"path"
	"regexp"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// What `stagefile init` asks the node preset.
var _ plan.Initializer = Provider{}

// Markers: a package.json makes a context the node preset's.
func (Provider) Markers() []string { return []string{"package.json"} }

// WorkspaceFiles: the root's package.json and pnpm-workspace.yaml, then
// the package.json of every folder their workspace globs match.
func (Provider) WorkspaceFiles(read map[string][]byte) []string {
	files := []string{"package.json", "pnpm-workspace.yaml"}
	var root packageJSON
	if readJSON(read["package.json"], &root) == nil {
		for _, g := range workspaceGlobs(read, root) {
			files = append(files, path.Join(g, "package.json"))
		}
	}
	return files
}

// Workspace: the packages package.json workspaces or pnpm-workspace.yaml
// name. An app is a package with a start script (start, start:prod or
// start:production), whatever it runs; main alone makes a library, which
// the workspace's other packages import through it.
func (Provider) Workspace(files map[string][]byte) *plan.Workspace {
	var root packageJSON
	if dt, ok := files["package.json"]; !ok || readJSON(dt, &root) != nil {
		return nil
	}
	globs := workspaceGlobs(files, root)
	if len(globs) == 0 {
		return nil
	}
	w := &plan.Workspace{Kind: "a workspace (package.json workspaces)"}
	if _, ok := files["pnpm-workspace.yaml"]; ok {
		w.Kind = "a pnpm workspace (pnpm-workspace.yaml)"
	}
	if s := startScript(root); s != "" {
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: ".", Start: s})
	}
	for _, name := range sortedKeys(files) {
		dir, ok := strings.CutSuffix(name, "/package.json")
		if !ok || !matchesAny(globs, dir) {
			continue
		}
		var pkg packageJSON
		_ = readJSON(files[name], &pkg) // unreadable: no start script to tell
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: dir, Start: startScript(pkg)})
	}
	return w
}

// startScript is the script a package starts with, as "scripts.NAME:
// SCRIPT"; "" for none.
func startScript(pkg packageJSON) string {
	for _, name := range []string{"start", "start:prod", "start:production"} {
		if s := strings.TrimSpace(pkg.Scripts[name]); s != "" {
			return "scripts." + name + ": " + s
		}
	}
	return ""
}

// SuggestFiles: the app's package.json, then what its scripts and the
// plan's start file name: the tsconfig files tsc reads (and those they
// extend), vite's and Next.js's config, the start file or, when the build
// writes it, its source.
func (Provider) SuggestFiles(p *plan.Plan, read map[string][]byte) []string {
	s := newSuggester(p, read)
	s.run()
	return s.wanted
}

// Suggest: build.outputs from what the build script's tools write (tsc's
// outDir, vite, babel --out-dir...) or, without a build, the folder of
// the start file; release.expose from the port the start file (or its
// source) names; for next start, its port and, commented out, the two
// releases docs/presets.md#nextjs describes.
func (Provider) Suggest(p *plan.Plan, files map[string][]byte) []plan.Suggestion {
	return newSuggester(p, files).run()
}

// suggester reads the app's files for Suggest. Every file it looks at is
// recorded, read or not, so that SuggestFiles is the same walk.
type suggester struct {
	p     *plan.Plan
	files map[string][]byte
	// dir is the package's folder: the app's, or a workspace package's
	dir    string
	wanted []string
}

func newSuggester(p *plan.Plan, files map[string][]byte) *suggester {
	return &suggester{p: p, files: files, dir: path.Clean(p.App.Value)}
}

// file is a context file (a path relative to the app).
func (s *suggester) file(name string) ([]byte, bool) {
	name = s.rel(name)
	s.wanted = append(s.wanted, name)
	dt, ok := s.files[name]
	return dt, ok
}

// rel is a path of the package's folder as a path in the context.
// An absolute one stays so, which usable refuses.
func (s *suggester) rel(name string) string {
	if path.IsAbs(name) {
		return name
	}
	return path.Join(s.dir, name)
}

func (s *suggester) run() []plan.Suggestion {
	dt, ok := s.file("package.json")
	var pkg packageJSON
	if !ok || readJSON(dt, &pkg) != nil {
		return nil
	}
	var out []plan.Suggestion
	b := s.build(pkg)
	start := s.startFile()
	if o := s.outputs(pkg, b, start); o != nil {
		out = append(out, *o)
	}
	out = append(out, s.next(pkg, b)...)
	out = append(out, s.expose(pkg, b, start)...)
	return append(out, s.dockerignore(b)...)
}

// dockerignore: the developer's node_modules, and what the build (and
// the workspace packages' builds) write.
func (s *suggester) dockerignore(b built) []plan.Suggestion {
	deps := "node_modules"
	for _, m := range s.p.Dependencies.Manifests {
		if plan.HasWildcard(m.Value) {
			deps = "**/node_modules" // a workspace's packages have theirs
		}
	}
	out := []plan.Suggestion{{Field: ".dockerignore", Values: []string{deps},
		From: "the developer's own installs, built for their machine: the dependencies step makes the image's"}}
	var written []string
	for _, o := range b.outs {
		if src := path.Clean(o.src); o.src != "" && (src == path.Clean(o.path) || strings.HasPrefix(src, path.Clean(o.path)+"/")) {
			continue // compiled in place: the output holds the sources
		}
		written = append(written, s.rel(o.path))
	}
	if b.next {
		written = append(written, s.rel(".next"))
	}
	written = append(written, s.workspaceBuilds()...)
	var keep []string
	for _, w := range written {
		if usable(w) {
			keep = append(keep, w)
		}
	}
	if len(keep) > 0 {
		out = append(out, plan.Suggestion{Field: ".dockerignore", Values: keep,
			From: "what the build writes: a copy from this machine would ship files the build did not make"})
	}
	return out
}

// workspaceBuilds are what the build scripts of the workspace packages
// the app uses write (build.workspace runs them).
func (s *suggester) workspaceBuilds() []string {
	if s.p.Build.Workspace == nil {
		return nil
	}
	var out []string
	for _, inc := range plan.Values(s.p.Source.Include) {
		if inc = path.Clean(inc); inc == s.dir {
			continue
		}
		sub := &suggester{p: s.p, files: s.files, dir: inc}
		dt, ok := sub.file("package.json")
		var pkg packageJSON
		if ok && readJSON(dt, &pkg) == nil && pkg.Scripts["build"] != "" {
			var b built
			sub.script(pkg, "build", &b, 0)
			for _, o := range b.outs {
				out = append(out, sub.rel(o.path))
			}
		}
		s.wanted = append(s.wanted, sub.wanted...)
	}
	return out
}

// built is what the build script's tools write.
type built struct {
	outs []output
	// unknown is a command whose outputs init cannot tell ("" when none).
	unknown string
	// next: the script runs next build.
	next bool
}

// output is a path the build writes, relative to the app; src is the
// folder it is compiled from ("" when the tool does not say).
type output struct{ path, src, from string }

// maxScriptDepth bounds how deep "npm run X" is followed into scripts.
const maxScriptDepth = 4

// commandSep splits a script into its commands.
var commandSep = regexp.MustCompile(`\s*(?:&&|\|\||;|\n)\s*`)

func (s *suggester) build(pkg packageJSON) built {
	var b built
	if s.p.Build.Run == nil || pkg.Scripts["build"] == "" {
		return b
	}
	s.script(pkg, "build", &b, 0)
	if len(b.outs) == 0 && b.unknown == "" && !b.next {
		b.unknown = strings.TrimSpace(pkg.Scripts["build"])
	}
	return b
}

func (s *suggester) script(pkg packageJSON, name string, b *built, depth int) {
	for _, cmd := range commandSep.Split(strings.TrimSpace(pkg.Scripts[name]), -1) {
		if w := words(cmd); len(w) > 0 {
			s.command(pkg, w, b, depth, "package.json scripts."+name)
		}
	}
}

// words are a command's words without quotes, after any VAR=value,
// cross-env and npx.
func words(cmd string) []string {
	var w []string
	for _, f := range strings.Fields(cmd) {
		w = append(w, strings.Trim(f, `"'`))
	}
	for len(w) > 0 {
		switch {
		case w[0] == "cross-env" || w[0] == "npx" || w[0] == "bunx":
			w = w[1:]
		case len(w) > 1 && (w[0] == "npm" || w[0] == "pnpm" || w[0] == "yarn") && w[1] == "exec":
			w = w[2:]
		case strings.Contains(w[0], "=") && !strings.HasPrefix(w[0], "-"):
			w = w[1:]
		default:
			return w
		}
	}
	return w
}

// neutral commands copy, clean or prepare; the tools beside them say
// what the build writes.
var neutral = map[string]bool{"mkdir": true, "rm": true, "rimraf": true, "del": true, "del-cli": true, "cp": true, "cpx": true,
	"copyfiles": true, "shx": true, "echo": true, "true": true, "cd": true, "chmod": true, "touch": true, "mv": true}

func (s *suggester) command(pkg packageJSON, w []string, b *built, depth int, from string) {
	tool, args := path.Base(w[0]), w[1:]
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	add := func(dir, src, why string) {
		b.outs = append(b.outs, output{path: dir, src: src, from: why + " (" + from + ")"})
	}
	switch {
	case neutral[tool]:
	case tool == "bun" && sub == "build":
		// bun's bundler, not a script (bun run build is)
		if d := flagValue(args, "--outdir"); d != "" {
			add(d, "", "bun build --outdir")
		} else if f := flagValue(args, "--outfile"); f != "" {
			add(f, "", "bun build --outfile")
		} else {
			b.unknown = strings.Join(w, " ")
		}
	case tool == "npm" || tool == "pnpm" || tool == "yarn" || tool == "bun":
		if sub == "run" || sub == "run-script" {
			args = args[1:]
		}
		if len(args) > 0 && pkg.Scripts[args[0]] != "" && depth < maxScriptDepth {
			s.script(pkg, args[0], b, depth+1)
			return
		}
		b.unknown = strings.Join(w, " ")
	case tool == "tsc":
		s.tsc(args, b, from)
	case tool == "nest" && sub == "build":
		out, src := s.tsconfig("tsconfig.build.json", 0)
		if out == "" {
			out, src = s.tsconfig("tsconfig.json", 0)
		}
		if out == "" {
			out = "dist"
		}
		add(out, src, "nest build writes the tsconfig's outDir")
	case tool == "vite" && sub == "build":
		add(or(flagValue(args, "--outDir"), s.viteOutDir(), "dist"), "", "vite build writes its build.outDir")
	case tool == "next" && sub == "build":
		b.next = true
	case tool == "babel" || tool == "swc":
		if d := flagValue(args, "-d", "--out-dir"); d != "" {
			add(d, firstOperand(args), tool+" --out-dir")
		} else if f := flagValue(args, "-o", "--out-file"); f != "" {
			add(f, "", tool+" --out-file")
		} else {
			b.unknown = strings.Join(w, " ")
		}
	case tool == "webpack" || tool == "webpack-cli":
		if sub == "serve" || sub == "watch" {
			return
		}
		add(or(flagValue(args, "--output-path", "-o"), "dist"), "", "webpack's output.path")
	case tool == "tsup":
		add(or(flagValue(args, "-d", "--out-dir"), "dist"), "", "tsup's outDir")
	case tool == "esbuild":
		if d := flagValue(args, "--outdir"); d != "" {
			add(d, "", "esbuild --outdir")
		} else if f := flagValue(args, "--outfile"); f != "" {
			add(f, "", "esbuild --outfile")
		} else {
			b.unknown = strings.Join(w, " ")
		}
	case tool == "rollup":
		if d := flagValue(args, "-d", "--dir"); d != "" {
			add(d, "", "rollup --dir")
		} else if f := flagValue(args, "-o", "--file"); f != "" {
			add(f, "", "rollup --file")
		} else {
			b.unknown = strings.Join(w, " ")
		}
	case tool == "react-scripts" && sub == "build":
		add("build", "", "react-scripts build writes build/")
	case (tool == "ng" || tool == "vue-cli-service") && sub == "build":
		add("dist", "", tool+" build writes dist/")
	case tool == "parcel" && sub == "build":
		add(or(flagValue(args, "--dist-dir"), "dist"), "", "parcel build's --dist-dir")
	default:
		b.unknown = strings.Join(w, " ")
	}
}

// tsc: the outDir of --outDir, else of the tsconfig it compiles (-p,
// -b, else tsconfig.json); --noEmit writes nothing.
func (s *suggester) tsc(args []string, b *built, from string) {
	for _, a := range args {
		if a == "--noEmit" {
			return
		}
	}
	cfg := "tsconfig.json"
	if v := flagValue(args, "-p", "--project", "-b", "--build"); v != "" && !strings.HasPrefix(v, "-") {
		cfg = v
		if !strings.HasSuffix(cfg, ".json") {
			cfg = path.Join(cfg, "tsconfig.json")
		}
	}
	out, src := flagValue(args, "--outDir"), flagValue(args, "--rootDir")
	why := "tsc --outDir"
	if out == "" {
		out, src = s.tsconfig(cfg, 0)
		why = path.Clean(cfg) + " compilerOptions.outDir, which tsc writes"
	}
	if out == "" {
		b.unknown = "tsc (" + path.Clean(cfg) + " has no outDir: the .js files land next to the sources)"
		return
	}
	b.outs = append(b.outs, output{path: out, src: src, from: why + " (" + from + ")"})
}

// maxExtends bounds how many tsconfig files one extends chain reads.
const maxExtends = 4

// tsconfig is the outDir and rootDir a tsconfig file (relative to the
// app) sets, relative to the app, following extends to files in the
// context; "" for those it does not set.
func (s *suggester) tsconfig(name string, depth int) (outDir, rootDir string) {
	dt, ok := s.file(name)
	if !ok || depth >= maxExtends {
		return "", ""
	}
	var cfg struct {
		Extends         json.RawMessage `json:"extends"`
		CompilerOptions struct {
			OutDir  string `json:"outDir"`
			RootDir string `json:"rootDir"`
		} `json:"compilerOptions"`
	}
	if json.Unmarshal(jsonc(normalize(dt)), &cfg) != nil {
		return "", ""
	}
	dir := path.Dir(name)
	var parents []string
	if json.Unmarshal(cfg.Extends, &parents) != nil {
		var one string
		if json.Unmarshal(cfg.Extends, &one) == nil {
			parents = []string{one}
		}
	}
	for _, e := range parents {
		if !strings.HasPrefix(e, "./") && !strings.HasPrefix(e, "../") {
			continue // a package's config, in node_modules
		}
		if !strings.HasSuffix(e, ".json") {
			e += ".json"
		}
		o, r := s.tsconfig(path.Join(dir, e), depth+1)
		outDir, rootDir = or(o, outDir), or(r, rootDir)
	}
	in := func(p string) string {
		if path.IsAbs(p) {
			return p
		}
		return path.Join(dir, p)
	}
	if cfg.CompilerOptions.OutDir != "" {
		outDir = in(cfg.CompilerOptions.OutDir)
	}
	if cfg.CompilerOptions.RootDir != "" {
		rootDir = in(cfg.CompilerOptions.RootDir)
	}
	return outDir, rootDir
}

var viteOutDir = regexp.MustCompile(`\boutDir\s*:\s*["']([^"'\n]+)["']`)

// viteOutDir is build.outDir of the app's vite config, "" when it sets
// none the scan can read.
func (s *suggester) viteOutDir() string {
	for _, ext := range []string{"ts", "js", "mjs", "mts", "cjs", "cts"} {
		if dt, ok := s.file("vite.config." + ext); ok {
			if m := viteOutDir.FindSubmatch(dt); m != nil {
				return string(m[1])
			}
			return ""
		}
	}
	return ""
}

// startFile is the file the release's node runs, relative to the app.
func (s *suggester) startFile() string {
	r := s.p.Release
	argv := append(append([]string{}, r.Entrypoint.Value...), r.Cmd.Value...)
	if !r.Entrypoint.Set() && len(r.Cmd.Value) > 0 {
		argv = append([]string{"node"}, r.Cmd.Value...) // an image that starts node itself
	}
	if len(argv) == 0 {
		return ""
	}
	i, _, ok := Provider{}.Script(argv)
	if !ok {
		return ""
	}
	f := argv[i]
	if path.IsAbs(f) {
		rel, ok := strings.CutPrefix(path.Clean(f), path.Clean(s.p.AppDir())+"/")
		if !ok {
			return ""
		}
		f = rel
	}
	return path.Clean(f)
}

// outputs is build.outputs when the plan's do not hold what the release
// runs: what the build writes, the folder of a start file the build does
// not write, and, for a workspace app, what the preset filled.
func (s *suggester) outputs(pkg packageJSON, b built, start string) *plan.Suggestion {
	have := plan.Values(s.p.Build.Outputs)
	var add []string
	var from []string
	covered := func(p string, in []string) bool {
		for _, o := range in {
			if o = path.Clean(o); p == o || strings.HasPrefix(p, o+"/") {
				return true
			}
		}
		return false
	}
	for _, o := range b.outs {
		p := s.rel(o.path)
		if !usable(p) {
			return &plan.Suggestion{Field: "build.outputs", Values: have, Unsure: true,
				From: "the build writes " + spec.Printable(o.path, spec.ValueLimit) + " (" + o.from + "), which is not a folder of the build context the release can take: list what it writes"}
		}
		if !covered(p, have) && !covered(p, add) {
			add = append(add, p)
			from = append(from, o.from)
		}
	}
	var built []string
	for _, o := range b.outs {
		built = append(built, s.rel(o.path))
	}
	if start != "" && !covered(s.rel(start), built) && !covered(s.rel(start), have) && !covered(s.rel(start), add) {
		top, _, _ := strings.Cut(start, "/")
		if _, inContext := s.file(start); inContext || b.unknown == "" {
			// the start file comes from the source: its folder ships (or
			// it, at the app's root)
			add = append(add, s.rel(top))
			from = append(from, "the folder of the start file "+spec.Printable(start, spec.ValueLimit))
		} else {
			// not in the context: the build writes it, somehow
			add = append(add, s.rel(top))
			from = append(from, "the folder of the start file "+spec.Printable(start, spec.ValueLimit)+", which the build seems to write")
		}
	}
	switch {
	case b.next:
		return nil // s.next says what to choose
	case b.unknown != "":
		return &plan.Suggestion{Field: "build.outputs", Values: append(have, add...), Unsure: true,
			From: "scripts.build runs \"" + spec.Printable(b.unknown, spec.ValueLimit) + "\", whose outputs init cannot tell: list them under build.outputs, beside what the release needs from the source"}
	case len(add) == 0:
		return nil
	}
	return &plan.Suggestion{Field: "build.outputs", Values: append(have, add...), From: strings.Join(from, "; ")}
}

// usable reports whether p (in the context) can be a build output
// written from the context's files: inside it, no control characters, not
// the whole app, not a wildcard.
func usable(p string) bool {
	return p != "." && !path.IsAbs(p) && p != ".." && !strings.HasPrefix(p, "../") && !spec.HasControl(p) && !plan.HasWildcard(p) &&
		!strings.Contains(p, "node_modules")
}

var nextStandalone = regexp.MustCompile(`\boutput\s*:\s*["']standalone["']`)

// next: for next build, the two releases docs/presets.md#nextjs
// describes, commented out: the one its next.config asks for.
func (s *suggester) next(pkg packageJSON, b built) []plan.Suggestion {
	if !b.next {
		return nil
	}
	have := plan.Values(s.p.Build.Outputs)
	config, standalone := "", false
	for _, name := range []string{"next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts"} {
		if dt, ok := s.file(name); ok {
			config = name
			standalone = nextStandalone.Match(dt)
			break
		}
	}
	var out []plan.Suggestion
	if standalone {
		out = append(out, plan.Suggestion{Field: "build.outputs", Values: []string{s.rel(".next/standalone")}, Unsure: true,
			From: config + " has output: \"standalone\": ship .next/standalone, after copying public and .next/static into it in build.run, with release.dependencies: false (docs/presets.md#nextjs)"})
	} else {
		vals := append(have, s.rel(".next"), s.rel("public"))
		why := "next start reads .next, public and the next.config (docs/presets.md#nextjs; or build with output: \"standalone\")"
		if config != "" {
			vals = append(vals, s.rel(config))
		}
		if strings.HasSuffix(config, ".ts") {
			why += "; next.config.ts needs typescript at start-up, which the release lacks: use next.config.mjs"
		}
		out = append(out, plan.Suggestion{Field: "build.outputs", Values: vals, Unsure: true, From: why})
	}
	if !s.p.Release.Entrypoint.Set() && !s.p.Release.Cmd.Set() {
		cmd := []string{"node_modules/next/dist/bin/next", "start"}
		if standalone {
			cmd = []string{".next/standalone/server.js"}
		}
		out = append(out,
			plan.Suggestion{Field: "release.entrypoint", Values: []string{"node"}, Unsure: true, From: "node as PID 1 (docs/presets.md#nextjs)"},
			plan.Suggestion{Field: "release.cmd", Values: cmd, Unsure: true, From: "what next start runs (docs/presets.md#nextjs)"})
	}
	return out
}

// The ports a Node.js server's code names: process.env.PORT || 8080,
// .listen(3000), const port = 3000.
var jsPorts = []*regexp.Regexp{
	regexp.MustCompile(`\bPORT\s*(?:\|\||\?\?)\s*["'\x60]?(\d{1,5})\b`),
	regexp.MustCompile(`\.listen\(\s*["']?(\d{1,5})\b`),
	regexp.MustCompile(`(?i)\b(?:const|let|var)\s+port\s*(?::\s*\w+\s*)?=\s*["']?(\d{1,5})\b`),
}

// sourceExts are what a compiled .js file may have been written as.
var sourceExts = []string{".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"}

// expose: next start's port (-p, else 3000), else the port the start
// file names, read from its source when the build writes it.
func (s *suggester) expose(pkg packageJSON, b built, start string) []plan.Suggestion {
	if len(s.p.Release.Expose) > 0 {
		return nil
	}
	if script := pkg.Scripts["start"]; scriptCommand(script) == "next" {
		w := scriptWords(script)
		if p := flagValue(w, "-p", "--port"); p != "" {
			return []plan.Suggestion{{Field: "release.expose", Values: []string{p}, From: "package.json scripts.start: next start -p " + spec.Printable(p, 10)}}
		}
		return []plan.Suggestion{{Field: "release.expose", Values: []string{"3000"}, From: "next start listens on 3000 by default (package.json scripts.start)"}}
	}
	if start == "" {
		return nil
	}
	candidates := []string{start}
	for _, o := range b.outs {
		rest, ok := strings.CutPrefix(start, path.Clean(o.path)+"/")
		if !ok {
			continue
		}
		stem := strings.TrimSuffix(rest, path.Ext(rest))
		roots := []string{o.src}
		if o.src == "" {
			roots = []string{"src", "."}
		}
		for _, r := range roots {
			for _, ext := range sourceExts {
				candidates = append(candidates, path.Join(r, stem+ext))
			}
		}
	}
	for _, c := range candidates {
		if dt, ok := s.file(c); ok {
			return scaffold.Expose(s.rel(c), scaffold.Ports(dt, jsPorts...))
		}
	}
	return nil
}

// flagValue is the value of the first of names in args ("--out-dir X"
// or "--out-dir=X"); "" when none is given.
func flagValue(args []string, names ...string) string {
	for i, a := range args {
		for _, n := range names {
			if a == n && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v
			}
		}
	}
	return ""
}

// firstOperand is the first argument that is no flag nor a flag's value.
func firstOperand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !booleanFlag[a] {
				i++
			}
			continue
		}
		return a
	}
	return ""
}

// booleanFlag are babel's and swc's flags that take no value.
var booleanFlag = map[string]bool{"--watch": true, "-w": true, "--copy-files": true, "-D": true, "--source-maps": true, "-s": true,
	"--delete-dir-on-start": true, "--include-dotfiles": true, "--verbose": true, "--quiet": true, "--strip-leading-paths": true}

func or(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// normalize is a file as init reads it, best effort: decoded as Node.js
// would, or nothing when it cannot be (Fill reports that file).
func normalize(dt []byte) []byte {
	out, err := scaffold.Encoding{Tool: "init", BOM: true, Lossy: true}.Decode("", dt)
	if err != nil {
		return nil
	}
	return out
}
