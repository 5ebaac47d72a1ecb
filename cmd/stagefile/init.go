package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// stagefile init reads a build context the way the presets do and
// writes the smallest Stagefile that resolves: the preset, the image it
// picks (pinned), the app's folder in a workspace, and what the preset
// leaves to the Stagefile that the app's files tell (build.outputs,
// release.expose). What it cannot tell it writes commented out, with a
// TODO. Every decision comes from the real preset: the plan of a minimal
// Stagefile, its warnings, and the preset's plan.Initializer answers.

// syntaxLine is the first line of every Stagefile init writes.
const syntaxLine = "# syntax=docker.io/stagefile/stagefile:1"

// commentColumn is where a value's comment starts, as in the plan view.
const commentColumn = 36

// initCommand runs `stagefile init [DIR] [--app PATH] [--all] [--force]`.
func initCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &command{fs: fs, operand: "folder"}
	app := fs.String("app", "", "the app's folder in a workspace, relative to DIR (apps/api): its Stagefile is written there")
	all := fs.Bool("all", false, "a Stagefile for every app of the workspace, each in its folder")
	force := fs.Bool("force", false, "replace Stagefiles that exist (never .dockerignore)")
	name := fs.String("preset", "", "the preset, when DIR holds the files of several ("+strings.Join(preset.Names(), ", ")+")")
	dir, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	if *all && *app != "" {
		return usageError(stderr, errors.New("--app and --all: give one of them"))
	}
	if dir == "" {
		dir = "."
	}
	r := &initRun{dir: dir, app: *app, all: *all, force: *force, preset: *name, stdout: stdout, stderr: stderr}
	if err := r.run(); err != nil {
		fmt.Fprintln(stderr, "stagefile init:", err)
		return 1
	}
	return 0
}

// initRun is one run of init.
type initRun struct {
	dir, app, preset string
	all, force       bool
	stdout, stderr   io.Writer
	prov             plan.Provider
	ini              plan.Initializer
}

// initApp is a Stagefile to write.
type initApp struct {
	dir   string // the app's folder in the context, "." for the root
	start string // how the workspace says it starts, "" outside one
	file  string // the Stagefile, relative to the context
	data  []byte
	todos []string
	// ignore is what .dockerignore should hold, with why
	ignore []plan.Suggestion
	// outputs and expose are the values written, "" when none
	outputs, expose []string
	// warnings are what stagefile check still says of it
	warnings []*plan.Warning
}

func (r *initRun) run() error {
	st, err := os.Stat(r.dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder: give the folder of the app, or of the workspace (its build context)", r.dir)
	}
	if err := r.pickPreset(); err != nil {
		return err
	}
	ws, err := r.workspace()
	if err != nil {
		return err
	}
	apps, err := r.apps(ws)
	if err != nil {
		return err
	}
	// refuse before reading any further: nothing is written unless all is
	var exist []string
	for _, a := range apps {
		if _, err := os.Lstat(filepath.Join(r.dir, filepath.FromSlash(a.file))); err == nil && !r.force {
			exist = append(exist, r.show(a.file))
		}
	}
	if len(exist) > 0 {
		return fmt.Errorf("%s already exists: nothing written (--force replaces it)", strings.Join(exist, " and "))
	}
	for _, a := range apps {
		if err := r.prepare(a, ws); err != nil {
			return err
		}
	}
	return r.write(apps)
}

// show is a path in the context as the person running init names it.
func (r *initRun) show(rel string) string {
	return spec.Printable(filepath.Join(r.dir, filepath.FromSlash(rel)), -1)
}

// pickPreset is the preset --preset names, else the one whose markers
// the context's root holds.
func (r *initRun) pickPreset() error {
	type candidate struct {
		prov    plan.Provider
		ini     plan.Initializer
		markers []string
	}
	var all, found []candidate
	for _, p := range preset.Providers.Sorted() {
		ini, ok := p.(plan.Initializer)
		if !ok {
			continue
		}
		files, err := contextdir.ReadHeads(r.dir, ini.Markers(), 0)
		if err != nil {
			return err
		}
		c := candidate{prov: p, ini: ini}
		for _, m := range ini.Markers() {
			if _, ok := files[m]; ok {
				c.markers = append(c.markers, m)
			}
		}
		all = append(all, c)
		if len(c.markers) > 0 {
			found = append(found, c)
		}
	}
	describe := func(cs []candidate, files func(candidate) []string) string {
		var parts []string
		for _, c := range cs {
			parts = append(parts, orList(files(c))+" ("+c.prov.Name()+")")
		}
		return strings.Join(parts, "; ")
	}
	var names []string
	for _, c := range all {
		names = append(names, c.prov.Name())
	}
	if r.preset != "" {
		for _, c := range all {
			if c.prov.Name() == r.preset {
				r.prov, r.ini = c.prov, c.ini
				return nil
			}
		}
		return fmt.Errorf("--preset %q: init knows the presets %s", spec.Printable(r.preset, spec.ValueLimit), strings.Join(names, ", "))
	}
	switch len(found) {
	case 1:
		r.prov, r.ini = found[0].prov, found[0].ini
		return nil
	case 0:
		return fmt.Errorf("found nothing a preset builds in %s: looked for %s. Run it in the app's folder (for a monorepo, its root), or write a Stagefile by hand (docs/stagefile.md)",
			r.show("."), describe(all, func(c candidate) []string { return c.ini.Markers() }))
	}
	return fmt.Errorf("%s holds the files of several presets: %s. Choose one with --preset (stagefile init --preset %s %s)",
		r.show("."), describe(found, func(c candidate) []string { return c.markers }), found[0].prov.Name(), r.show("."))
}

// orList is "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// readRounds reads what names asks for, asking again with what was read,
// at most rounds times.
func readRounds(rounds int, names func(map[string][]byte) []string, read func([]string) (map[string][]byte, error)) (map[string][]byte, error) {
	files := map[string][]byte{}
	asked := map[string]bool{}
	for range rounds {
		var ask []string
		for _, n := range names(files) {
			if !asked[n] {
				asked[n] = true
				ask = append(ask, n)
			}
		}
		if len(ask) == 0 {
			break
		}
		got, err := read(ask)
		if err != nil {
			return nil, err
		}
		maps.Copy(files, got)
	}
	return files, nil
}

// workspace is the context's workspace, nil when it has none.
func (r *initRun) workspace() (*plan.Workspace, error) {
	return workspaceIn(r.dir, r.ini)
}

func workspaceIn(dir string, ini plan.Initializer) (*plan.Workspace, error) {
	files, err := readRounds(plan.FileRounds, ini.WorkspaceFiles, func(names []string) (map[string][]byte, error) {
		return contextdir.ReadFiles(dir, names)
	})
	if err != nil {
		return nil, err
	}
	return ini.Workspace(files), nil
}

// apps are the apps to write a Stagefile for: the context's own, or
// those of the workspace --app or --all name.
func (r *initRun) apps(ws *plan.Workspace) ([]*initApp, error) {
	want := path.Clean(filepath.ToSlash(r.app))
	if ws == nil {
		if r.app != "" && want != "." {
			return nil, fmt.Errorf("--app %s: %s is no workspace preset %s reads; write the app's Stagefile from its own folder (stagefile init %s)",
				spec.Printable(r.app, spec.ValueLimit), r.show("."), r.prov.Name(), r.show(want))
		}
		return []*initApp{{dir: ".", file: frontendFile}}, nil
	}
	var apps, libs []plan.WorkspacePackage
	for _, p := range ws.Packages {
		if p.Start != "" {
			apps = append(apps, p)
		} else {
			libs = append(libs, p)
		}
	}
	listing := func() string {
		var b strings.Builder
		width := 0
		for _, a := range apps {
			width = max(width, len(spec.Printable(a.Dir, spec.ValueLimit)))
		}
		for _, a := range apps {
			fmt.Fprintf(&b, "\n  %-*s  %s", width, spec.Printable(a.Dir, spec.ValueLimit), spec.Printable(a.Start, 2*spec.ValueLimit))
		}
		if len(libs) > 0 {
			var dirs []string
			for _, l := range libs {
				dirs = append(dirs, spec.Printable(l.Dir, spec.ValueLimit))
			}
			fmt.Fprintf(&b, "\nand %d %s nothing: %s", len(libs), plural(len(libs), "library, which starts", "libraries, which start"), strings.Join(dirs, ", "))
		}
		return b.String()
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("%s is %s, and none of its packages is an app:%s\n(write a Stagefile by hand, with app: naming the package to release)", r.show("."), ws.Kind, listing())
	}
	toApp := func(p plan.WorkspacePackage) *initApp {
		return &initApp{dir: p.Dir, start: p.Start, file: path.Join(p.Dir, frontendFile)}
	}
	switch {
	case r.all:
		var out []*initApp
		for _, a := range apps {
			out = append(out, toApp(a))
		}
		return out, nil
	case r.app != "":
		for _, a := range apps {
			if a.Dir == want {
				return []*initApp{toApp(a)}, nil
			}
		}
		for _, l := range libs {
			if l.Dir == want {
				return nil, fmt.Errorf("--app %s is a library of %s: it starts nothing. Its apps:%s", spec.Printable(want, spec.ValueLimit), ws.Kind, listing())
			}
		}
		return nil, fmt.Errorf("--app %s is no package of %s. Its apps:%s", spec.Printable(want, spec.ValueLimit), ws.Kind, listing())
	}
	example := spec.Printable(apps[0].Dir, spec.ValueLimit)
	return nil, fmt.Errorf("%s is %s with %d %s:%s\nChoose one with --app (stagefile init --app %s %s), or write a Stagefile in each app's folder with --all",
		r.show("."), ws.Kind, len(apps), plural(len(apps), "app", "apps"), listing(), example, r.show("."))
}

// frontendFile is the Stagefile's name.
const frontendFile = "Stagefile"

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// minimal is the smallest Stagefile of the app: what init resolves to
// see what the preset decides.
func (r *initRun) minimal(a *initApp) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nversion: 1\npreset: %s\n", syntaxLine, spec.Scalar(r.prov.Name()))
	if a.dir != "." {
		fmt.Fprintf(&b, "app: %s\n", spec.Scalar(a.dir))
	}
	return b.Bytes()
}

// resolve resolves a Stagefile of a, as data, in the context; its
// warnings are every finding, those that fail the release included.
func (r *initRun) resolve(a *initApp, data []byte) (*plan.Plan, []*plan.Warning, error) {
	s, err := spec.Parse(a.file, data)
	if err != nil {
		return nil, nil, err
	}
	return resolveIn(r.dir, ignoreFile(filepath.Join(r.dir, filepath.FromSlash(a.file))), data, s, nil, false)
}

// prepare decides a's Stagefile from the preset's plan of the minimal
// one, its warnings and suggestions, and checks that it resolves.
func (r *initRun) prepare(a *initApp, ws *plan.Workspace) error {
	p, warnings, err := r.resolve(a, r.minimal(a))
	if err != nil {
		return r.presetError(a, err)
	}
	files, err := readRounds(plan.SuggestRounds, func(read map[string][]byte) []string { return r.ini.SuggestFiles(p, read) },
		func(names []string) (map[string][]byte, error) {
			return contextdir.ReadHeads(r.dir, names, plan.SuggestFileSize)
		})
	if err != nil {
		return err
	}
	suggestions := r.ini.Suggest(p, files)
	d := &stagefileDoc{}
	d.top("image", spec.Scalar(p.Image.Value), p.Image.Origin.String())
	if a.dir != "." {
		d.top("app", spec.Scalar(a.dir), "the app's folder in "+ws.Kind+"; "+a.start)
	}
	byField := map[string][]plan.Suggestion{}
	for _, s := range suggestions {
		if s.Field == ".dockerignore" {
			a.ignore = append(a.ignore, s)
			continue
		}
		byField[s.Field] = append(byField[s.Field], s)
	}
	has := func(rule *plan.Rule) *plan.Warning {
		for _, w := range warnings {
			if w.Rule == rule {
				return w
			}
		}
		return nil
	}
	// build.outputs: what the preset leaves out and the files tell
	outputs := byField["build.outputs"]
	if s, ok := sure(outputs); ok && validPaths(s.Values) {
		d.entry("build", "outputs", spec.FlowList(s.Values), s.From, false)
		a.outputs = s.Values
	} else {
		// what the files say is more to the point than the warning
		todo := ""
		for _, s := range outputs {
			if todo == "" {
				todo = s.From
			}
		}
		if w := has(plan.NoBuildOutputs); w != nil && todo == "" {
			todo = w.Msg + " [" + w.Rule.Name + "]"
		}
		if todo != "" {
			d.todo("build", "build.outputs: "+todo)
			a.todos = append(a.todos, "build.outputs: "+todo)
		}
		for _, s := range outputs {
			if validPaths(s.Values) && len(s.Values) > 0 {
				comment := s.From
				if comment == todo {
					comment = ""
				}
				d.entry("build", "outputs", spec.FlowList(s.Values), comment, true)
			}
		}
	}
	// tests: where the preset finds none, a TODO: the release does not
	// build until the Stagefile runs some or says why it ships untested
	if w := has(plan.NoTests); w != nil {
		d.todo("test", "test.run: the preset found no tests; write the command that runs them, or test.none: why the release ships untested [NoTests]")
		a.todos = append(a.todos, "test.run: no tests found: the release does not build until test.run runs some, or test.none says why it ships untested")
	}
	// release.cmd: only where the preset cannot tell, and only as a TODO
	if w := has(plan.UnknownStartCommand); w != nil {
		d.todo("release", "release.cmd: "+w.Msg+" [UnknownStartCommand]")
		a.todos = append(a.todos, "release.cmd: "+w.Msg)
		for _, field := range []string{"release.entrypoint", "release.cmd"} {
			for _, s := range byField[field] {
				d.entry("release", strings.TrimPrefix(field, "release."), spec.FlowList(s.Values), s.From, true)
			}
		}
	}
	// release.expose
	if s, ok := sure(byField["release.expose"]); ok && validPorts(s.Values) {
		d.entry("release", "expose", spec.FlowList(s.Values), s.From, false)
		a.expose = s.Values
	} else {
		for _, s := range byField["release.expose"] {
			if validPorts(s.Values) {
				d.entry("release", "expose", spec.FlowList(s.Values), s.From, true)
				if !s.Unsure || len(s.Values) > 1 {
					a.todos = append(a.todos, "release.expose: "+s.From)
				}
			}
		}
	}
	a.data = d.render(r.prov.Name(), a.file)
	return r.verify(a, p)
}

// sure is the one suggestion that settles a field.
func sure(ss []plan.Suggestion) (plan.Suggestion, bool) {
	if len(ss) == 1 && !ss[0].Unsure && len(ss[0].Values) > 0 {
		return ss[0], true
	}
	return plan.Suggestion{}, false
}

// validPaths: paths init may write as they are (the plan checks the
// rest when it resolves what init wrote).
func validPaths(vs []string) bool {
	for _, v := range vs {
		if v == "" || spec.HasControl(v) {
			return false
		}
	}
	return true
}

// validPorts: ports 1 to 65535, digits only.
func validPorts(vs []string) bool {
	for _, v := range vs {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != v {
			return false
		}
	}
	return len(vs) > 0
}

// verify resolves what init is about to write: it must resolve, and give
// the values init wrote. Its findings are what check will say.
func (r *initRun) verify(a *initApp, minimal *plan.Plan) error {
	p, warnings, err := r.resolve(a, a.data)
	if err != nil {
		return fmt.Errorf("the Stagefile init wrote for %s does not resolve (a bug in init: please report it with this message):\n%s\n%v", r.show(a.file), a.data, err)
	}
	if p.Image.Value != minimal.Image.Value || p.App.Value != minimal.App.Value ||
		a.outputs != nil && !slices.Equal(plan.Values(p.Build.Outputs), a.outputs) || a.expose != nil && !slices.Equal(plan.Values(p.Release.Expose), a.expose) {
		return fmt.Errorf("the Stagefile init wrote for %s reads back other values than it wrote (a bug in init: please report it):\n%s", r.show(a.file), a.data)
	}
	a.warnings = warnings
	return nil
}

// presetError says why the preset cannot build the app, without the
// position in a Stagefile that does not exist yet, and where the
// workspace is when the folder is one of its apps.
func (r *initRun) presetError(a *initApp, err error) error {
	var msgs []string
	var es spec.Errors
	var one *spec.Error
	switch {
	case errors.As(err, &es):
		for _, e := range es {
			msgs = append(msgs, e.Msg)
		}
	case errors.As(err, &one):
		msgs = append(msgs, one.Msg)
	default:
		msgs = append(msgs, err.Error())
	}
	what := r.show(a.dir)
	msg := fmt.Sprintf("preset %s cannot build %s: %s; nothing written", r.prov.Name(), what, strings.Join(msgs, "; "))
	if a.dir == "." {
		if hint := r.enclosing(); hint != "" {
			msg += "\n" + hint
		}
	}
	return errors.New(msg)
}

// enclosingDepth bounds how far up enclosing looks for a workspace.
const enclosingDepth = 3

// enclosing is a hint when the folder is an app of a workspace further
// up: init writes its Stagefile from the workspace's root.
func (r *initRun) enclosing() string {
	abs, err := filepath.Abs(r.dir)
	if err != nil {
		return ""
	}
	rel := filepath.Base(abs)
	for up, i := filepath.Dir(abs), 0; i < enclosingDepth && up != filepath.Dir(up); up, i = filepath.Dir(up), i+1 {
		ws, err := workspaceIn(up, r.ini)
		if err == nil && ws != nil {
			for _, p := range ws.Packages {
				if p.Dir == filepath.ToSlash(rel) {
					root := up
					if cwd, err := os.Getwd(); err == nil {
						if rel, err := filepath.Rel(cwd, up); err == nil && len(rel) < len(up) {
							root = rel
						}
					}
					here := r.show(".")
					if here == "." {
						here = "this folder"
					}
					return fmt.Sprintf("%s is %s of %s at %s: run stagefile init --app %s %s",
						here, spec.Printable(p.Dir, spec.ValueLimit), ws.Kind, spec.Printable(root, -1), spec.Printable(p.Dir, spec.ValueLimit), spec.Printable(root, -1))
				}
			}
			return ""
		}
		rel = filepath.Join(filepath.Base(up), rel)
	}
	return ""
}

// write writes every Stagefile, then .dockerignore when the context has
// none, and says what it wrote and what to run next.
func (r *initRun) write(apps []*initApp) error {
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if r.force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	for _, a := range apps {
		if err := writeIn(root, a.file, a.data, flags); err != nil {
			return err
		}
		fmt.Fprintf(r.stdout, "wrote %s\n", r.show(a.file))
	}
	if err := r.dockerignore(root, apps); err != nil {
		return err
	}
	for _, a := range apps {
		for _, t := range a.todos {
			fmt.Fprintf(r.stderr, "%s: TODO %s\n", r.show(a.file), spec.CommentText(t))
		}
		for _, w := range a.warnings {
			if w.Rule != plan.NoBuildOutputs && w.Rule != plan.UnknownStartCommand && w.Rule != plan.NoTests {
				fmt.Fprintf(r.stderr, "%s: warning: %s [%s]\n", r.show(a.file), w.Msg, w.Rule.Name)
			}
		}
	}
	ctx := spec.Printable(r.dir, -1)
	fmt.Fprintln(r.stdout, "next: see every value the preset fills, and why; then build")
	for _, a := range apps {
		fmt.Fprintf(r.stdout, "  stagefile plan %s\n  docker build -f %s %s\n", r.show(a.file), r.show(a.file), ctx)
	}
	return nil
}

// writeIn writes name (relative to root) with flags; os.Root keeps it,
// and any symlink on its way, inside the context.
func writeIn(root *os.Root, name string, data []byte, flags int) error {
	f, err := root.OpenFile(filepath.FromSlash(name), flags, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s appeared while init ran: nothing more written", name)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dockerignore writes the patterns the presets suggest to the context's
// .dockerignore when it has none; an existing one is left alone, and
// init says which of them it lacks.
func (r *initRun) dockerignore(root *os.Root, apps []*initApp) error {
	type group struct {
		from     string
		patterns []string
	}
	var groups []*group
	seen := map[string]bool{}
	byFrom := map[string]*group{}
	for _, a := range apps {
		for _, s := range a.ignore {
			for _, v := range s.Values {
				if seen[v] || !ignorable(v) {
					continue
				}
				seen[v] = true
				g := byFrom[s.From]
				if g == nil {
					g = &group{from: s.From}
					byFrom[s.From] = g
					groups = append(groups, g)
				}
				g.patterns = append(g.patterns, v)
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	if f, err := root.Open(".dockerignore"); err == nil {
		patterns, err := ignorefile.ReadAll(io.LimitReader(f, plan.MaxFileSize))
		f.Close()
		if err != nil {
			return nil // the build reports it
		}
		m, err := patternmatcher.New(patterns)
		if err != nil {
			return nil
		}
		for _, g := range groups {
			for _, p := range g.patterns {
				if ok, _ := m.MatchesOrParentMatches(strings.TrimPrefix(p, "**/")); !ok {
					fmt.Fprintf(r.stderr, "%s: left as it is; it does not leave out %s (%s)\n", r.show(".dockerignore"), spec.Printable(p, -1), spec.CommentText(g.from))
				}
			}
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var b strings.Builder
	b.WriteString("# Written by stagefile init: what the build context leaves out, for every build.\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "# %s\n", spec.CommentText(g.from))
		for _, p := range g.patterns {
			b.WriteString(p + "\n")
		}
	}
	if err := writeIn(root, ".dockerignore", []byte(b.String()), os.O_WRONLY|os.O_CREATE|os.O_EXCL); err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "wrote %s\n", r.show(".dockerignore"))
	return nil
}

// ignorable: a pattern a .dockerignore line holds as it is — no control
// characters, no comment or exception, no backslash, no surrounding space.
func ignorable(p string) bool {
	return p != "" && !spec.HasControl(p) && !strings.ContainsAny(p[:1], "#!") && !strings.Contains(p, `\`) && strings.TrimSpace(p) == p
}

// stagefileDoc is the Stagefile init writes: top-level values, then the
// build and release sections, each value with the comment that says what
// was read.
type stagefileDoc struct {
	tops     []docLine
	sections map[string][]docLine
}

type docLine struct {
	key, value, comment string
	commented           bool
	todo                bool
}

func (d *stagefileDoc) top(key, value, comment string) {
	d.tops = append(d.tops, docLine{key: key, value: value, comment: comment})
}

func (d *stagefileDoc) entry(section, key, value, comment string, commented bool) {
	if d.sections == nil {
		d.sections = map[string][]docLine{}
	}
	d.sections[section] = append(d.sections[section], docLine{key: key, value: value, comment: comment, commented: commented})
}

func (d *stagefileDoc) todo(section, text string) {
	if d.sections == nil {
		d.sections = map[string][]docLine{}
	}
	d.sections[section] = append(d.sections[section], docLine{comment: "TODO " + text, todo: true})
}

// render writes the Stagefile; every comment is one line.
func (d *stagefileDoc) render(presetName, file string) []byte {
	var b bytes.Buffer
	line := func(code, comment string) {
		if comment == "" {
			b.WriteString(code + "\n")
			return
		}
		comment = spec.CommentText(comment)
		if code == "" {
			b.WriteString("# " + comment + "\n")
			return
		}
		pad := max(commentColumn-len(code), 2)
		b.WriteString(code + strings.Repeat(" ", pad) + "# " + comment + "\n")
	}
	line(syntaxLine, "")
	line("", "Written by stagefile init. Preset "+presetName+" fills in everything else:")
	line("", "stagefile plan "+file+" shows every value and where it came from.")
	line("version: 1", "")
	line("preset: "+spec.Scalar(presetName), "")
	for _, l := range d.tops {
		line(l.key+": "+l.value, l.comment)
	}
	for _, section := range []string{"build", "release"} {
		lines := d.sections[section]
		if len(lines) == 0 {
			continue
		}
		live := slices.ContainsFunc(lines, func(l docLine) bool { return !l.commented && !l.todo })
		b.WriteString("\n")
		if live {
			line(section+":", "")
		} else {
			line("# "+section+":", "")
		}
		for _, l := range lines {
			switch {
			case l.todo:
				line("  # "+spec.CommentText(l.comment), "")
			case l.commented:
				line("  # "+l.key+": "+l.value, l.comment)
			default:
				line("  "+l.key+": "+l.value, l.comment)
			}
		}
	}
	return b.Bytes()
}
