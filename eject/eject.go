// Package eject writes a resolved Plan as a Dockerfile that BuildKit's
// stock Dockerfile frontend builds into the same targets: a way out of
// Stagefile that keeps what it bought (manifests before installs, cache
// and secret mounts, a release that requires the tests).
//
// It reads only the Plan and package llb's descriptions of the steps
// (llb/steps.go), so what runs is what the converter would run. Where a
// Dockerfile cannot say exactly what the converter's graph does, the file
// says so in a comment at that line, and Write returns it as a Note.
// Every string of the plan reaches the file quoted for the place it goes
// (quote.go); what no Dockerfile can carry is an error at its Stagefile
// line, and nothing is written.
package eject

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// Syntax is the Dockerfile syntax the ejected file names. COPY --exclude
// (1.19) and COPY --parents (1.20) are in its stable channel at the
// BuildKit version this module builds with (v0.34), whose built-in
// Dockerfile frontend has them too.
const Syntax = "docker/dockerfile:1"

// GateGlob is what the targets that require the tests copy from the test
// stage: a pattern no file matches, so the copy adds nothing, but it
// cannot run before the test stage is built, its tests passed. (COPY
// allows a pattern that matches nothing; a RUN with the test stage
// mounted would need a shell, which a distroless release lacks.)
const GateGlob = "/.stagefile-tests-passed-*"

// Internal stages, besides the targets: with test.reports the tests run
// in test-run, which records their exit code instead of failing, and
// test-gate fails when it is not 0.
const (
	stageTestRun  = "test-run"
	stageTestGate = "test-gate"
)

// Options are what the plan does not say.
type Options struct {
	// Platform is the target platform whose decisions the file takes
	// (fetched packages, cross installs); BuildPlatform is where builds
	// run. Both default to the machine's.
	Platform, BuildPlatform ocispecs.Platform
	// Version is stagefile's, for the header.
	Version string
	// Source names the Stagefile, for the header.
	Source string
	// IgnoreFile is the Stagefile's own ignore file (Stagefile.dockerignore)
	// when it has one: the Dockerfile frontend reads the Dockerfile's.
	IgnoreFile string
	// MaxLine is the longest physical line written (default DefaultMaxLine).
	MaxLine int
}

// Note is something the Dockerfile does differently from the Stagefile,
// said in a comment at Line.
type Note struct {
	// Line is the Dockerfile line of the comment.
	Line int
	// File and At are where in the Stagefile the behaviour comes from.
	File string
	At   spec.Range
	Msg  string
}

func (n Note) String() string {
	return fmt.Sprintf("Dockerfile line %d: %s [%s:%d:%d]", n.Line, n.Msg, n.File, n.At.Start.Line, n.At.Start.Column)
}

// Result is the Dockerfile and its notes.
type Result struct {
	Dockerfile []byte
	Notes      []Note
}

// Write writes p as a Dockerfile.
func Write(p *plan.Plan, opt Options) (*Result, error) {
	if opt.Platform.OS == "" {
		opt.Platform = platforms.Normalize(platforms.DefaultSpec())
	}
	if opt.BuildPlatform.OS == "" {
		opt.BuildPlatform = platforms.Normalize(platforms.DefaultSpec())
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	w := &writer{p: p, opt: opt, chk: check{file: p.File}, stages: map[string]map[string]bool{}}
	w.write()
	if err := w.chk.errs.Err(); err != nil {
		return nil, err
	}
	return &Result{Dockerfile: []byte(strings.Join(w.lines, "\n") + "\n"), Notes: w.notes}, nil
}

// DefaultMaxLine is the longest physical line written: BuildKit's parser
// reads lines of at most 64 KiB; longer instructions continue on the next
// line (a "\" at the end), split where the parser joins them back
// unchanged.
const DefaultMaxLine = 16 << 10

var (
	imageRef = regexp.MustCompile(`^[A-Za-z0-9._:/@+-]+$`)
	varName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	port     = regexp.MustCompile(`^[0-9]{1,5}(/(tcp|udp|sctp))?$`)
)

type writer struct {
	p     *plan.Plan
	opt   Options
	chk   check
	lines []string
	notes []Note

	// stages holds, by stage, the args in scope there (an ARG in a stage
	// is in scope in the stages built on it).
	stages map[string]map[string]bool
	stage  string
	// noted: notes said once.
	noted map[string]bool
}

// emit adds an instruction (or a blank line), splitting long lines.
func (w *writer) emit(s string) {
	for _, l := range strings.Split(s, "\n") {
		w.lines = append(w.lines, strings.Split(splitLong(l, w.opt.MaxLine), "\n")...)
	}
}

func (w *writer) blank() { w.lines = append(w.lines, "") }

// comment adds text as comment lines of at most about 100 columns.
func (w *writer) comment(format string, args ...any) {
	text := commentText(fmt.Sprintf(format, args...), -1)
	for _, l := range wrap(text, 98) {
		w.lines = append(w.lines, strings.TrimRight("# "+l, " "))
	}
}

// note says, in a comment here and in the result, what the Dockerfile
// does differently; once per key.
func (w *writer) note(key string, at spec.Range, format string, args ...any) {
	if w.noted == nil {
		w.noted = map[string]bool{}
	}
	if key != "" && w.noted[key] {
		return
	}
	w.noted[key] = true
	msg := fmt.Sprintf(format, args...)
	w.notes = append(w.notes, Note{Line: len(w.lines) + 1, File: w.p.File, At: at, Msg: commentText(msg, -1)})
	w.comment("eject: %s", msg)
}

// wrap splits text at spaces into lines of at most width bytes (longer
// words stay whole).
func wrap(text string, width int) []string {
	var out []string
	for len(text) > width {
		i := strings.LastIndex(text[:width+1], " ")
		if i <= 0 {
			i = strings.Index(text, " ")
			if i < 0 {
				break
			}
		}
		out = append(out, text[:i])
		text = strings.TrimLeft(text[i:], " ")
	}
	return append(out, text)
}

// splitLong continues a line longer than max on the next: a "\" at the
// end, which the parser removes with the line break. A cut must not
// follow a "\" (it would escape the continuation), nor leave the next
// line starting with a space or "#" (a blank or comment line is dropped).
func splitLong(line string, max int) string {
	if len(line) <= max {
		return line
	}
	var b strings.Builder
	for len(line) > max {
		cut := -1
		for i := max; i > max/2; i-- {
			if !utf8.RuneStart(line[i]) || line[i-1] == '\\' || line[i] == '#' {
				continue
			}
			if r, _ := utf8.DecodeRuneInString(line[i:]); unicode.IsSpace(r) {
				continue
			}
			cut = i
			break
		}
		if cut < 0 {
			break // no place to cut: the parser's limit is 64 KiB, not max
		}
		b.WriteString(line[:cut] + "\\\n")
		line = line[cut:]
	}
	b.WriteString(line)
	return b.String()
}

// origin is where a value came from, for a comment.
func (w *writer) origin(o plan.Origin) string {
	if o.Kind == plan.Stagefile {
		return path.Base(w.p.File) + " " + o.String()
	}
	return o.String()
}

func (w *writer) write() {
	w.header()
	w.globalArgs()
	w.dependencies()
	w.development()
	w.test()
	w.build()
	w.release()
}

func (w *writer) header() {
	p := w.p
	w.lines = append(w.lines, "# syntax="+Syntax)
	src := w.opt.Source
	if src == "" {
		src = p.File
	}
	version := w.opt.Version
	if version == "" {
		version = "dev"
	}
	w.comment("")
	w.comment("Ejected from %s by `stagefile eject` (stagefile %s) for %s.", src, version, platforms.Format(w.opt.Platform))
	w.comment("The stock Dockerfile frontend builds it into the Stagefile's targets, with the same names: "+
		"docker build --target T . (T: %s; %s is the default). It needs Dockerfile syntax 1.20 or later "+
		"(COPY --parents; COPY --exclude is 1.19), which the syntax line above pulls.",
		strings.Join(targetNames(), ", "), llb.TargetRelease)
	if p.Preset.Set() {
		w.comment("Every value comes from the resolved plan, preset %s applied, as `stagefile plan` prints it, "+
			"each with where it came from. The images were not inspected: what the preset would read from them "+
			"at build time (the release's user, an image's PATH) is as `stagefile plan` shows it.", p.Preset.Value)
	} else {
		w.comment("Every value comes from the resolved plan, as `stagefile plan` prints it, each with where it came from.")
	}
	w.comment("Lines that start with \"eject:\" say where this file does not do exactly what the Stagefile did.")
	if w.opt.IgnoreFile != "" {
		w.note("ignore", p.Span, "the Stagefile's own ignore file %s is not read by the Dockerfile frontend, which reads "+
			"<Dockerfile>.dockerignore, else .dockerignore: rename it to go with this file (Dockerfile.dockerignore)", path.Base(w.opt.IgnoreFile))
	}
	w.blank()
}

func targetNames() []string {
	var out []string
	for _, t := range llb.Targets {
		out = append(out, t.Name)
	}
	return out
}

// globalArgs declares the Stagefile's args with their defaults; each
// stage that reads one declares it again, without a value.
func (w *writer) globalArgs() {
	for _, a := range w.p.Args {
		if !w.argName(a.Origin.At, a.Name) || !w.chk.line(a.Origin.At, "args."+a.Name, a.Default) {
			continue
		}
		desc := ""
		if a.Description != "" {
			desc = " " + a.Description // "# NAME description" is the arg's description for --call outline
		}
		w.comment("%s%s (%s)", a.Name, desc, w.origin(a.Origin))
		w.emit("ARG " + a.Name + "=" + quoted(a.Default))
	}
	if len(w.p.Args) > 0 {
		w.blank()
	}
}

// from starts a stage on an image or a stage.
func (w *writer) from(base, name, desc string) {
	scope := map[string]bool{}
	for a := range w.stages[base] {
		scope[a] = true
	}
	w.stages[name] = scope
	w.stage = name
	if desc != "" {
		w.comment("%s: %s", name, desc)
	}
	w.emit("FROM " + base + " AS " + name)
}

// image is an image reference for FROM: as written, or in full where the
// short name is a stage's.
func (w *writer) image(v plan.Value[string], field string) string {
	ref := v.Value
	if !imageRef.MatchString(ref) {
		w.chk.fail(v.Origin.At, "%s %q is not an image reference a FROM line can name (eject cannot write it)", field, spec.Printable(ref, spec.ValueLimit))
		return "scratch"
	}
	for _, s := range append(targetNames(), stageTestRun, stageTestGate) {
		if strings.EqualFold(ref, s) {
			if named, err := reference.ParseNormalizedNamed(ref); err == nil {
				return reference.TagNameOnly(named).String()
			}
		}
	}
	return ref
}

// args declares in this stage the args (declared or predefined) of
// names, unless in scope already.
func (w *writer) args(names []string, at spec.Range) {
	scope := w.stages[w.stage]
	for _, n := range names {
		if scope[n] || !w.argName(at, n) {
			continue
		}
		scope[n] = true
		if !slices.Contains(plan.PlatformArgs, n) {
			w.note("arg "+n, at, "the Stagefile reads build arg %s only where it is used (a value that reads ${%s}, "+
				"the environment of a step whose command mentions it); an ARG is in scope, and in the cache key, "+
				"of every later step of its stage and of the stages built on it", n, n)
		}
		w.emit("ARG " + n)
	}
}

// templateRefs are the args a var's template reads.
func (w *writer) templateRefs(v plan.Var) []string {
	if v.Template == "" {
		return nil
	}
	var refs []string
	plan.Expand(v.Template, func(name string) (string, bool) {
		if w.isArg(name) && !slices.Contains(refs, name) {
			refs = append(refs, name)
		}
		return "", true
	})
	return refs
}

func (w *writer) isArg(name string) bool {
	if slices.Contains(plan.PlatformArgs, name) {
		return true
	}
	for _, a := range w.p.Args {
		if a.Name == name {
			return true
		}
	}
	return false
}

// varValue is a var's value as a lexer word: its template, with the args
// it reads as references ${NAME} and "$$" as a literal "$", else the value.
func (w *writer) varValue(v plan.Var, what string) string {
	if !w.chk.line(v.Origin.At, what, v.Value) {
		return `""`
	}
	if v.Template == "" {
		return quoted(v.Value)
	}
	if !w.chk.line(v.Origin.At, what, v.Template) {
		return `""`
	}
	// arg references become sentinels (NUL cannot be in a value), the
	// rest is escaped, then the sentinels become references
	out, _ := plan.Expand(v.Template, func(name string) (string, bool) {
		if w.isArg(name) {
			return "\x00" + name + "\x00", true
		}
		return "", false
	})
	esc := escapeQuoted(out)
	parts := strings.Split(esc, "\x00")
	var b strings.Builder
	for i, part := range parts {
		if i%2 == 1 {
			b.WriteString("${" + part + "}")
		} else {
			b.WriteString(part)
		}
	}
	return `"` + b.String() + `"`
}

// env writes vars as ENV lines, each under where it came from.
func (w *writer) env(vars []plan.Var, field string) {
	for _, v := range vars {
		what := field + "." + v.Name
		if !varName.MatchString(v.Name) {
			w.chk.fail(v.Origin.At, "%s is not a variable name ENV can write", spec.Printable(what, spec.ValueLimit))
			continue
		}
		w.args(w.templateRefs(v), v.Origin.At)
		value := w.varValue(v, what)
		w.comment("%s (%s)", what, w.origin(v.Origin))
		w.emit("ENV " + v.Name + "=" + value)
	}
}

// run writes a step: its build args, what it says about it (a comment,
// when about is not ""), then RUN with its mounts, the tmpfs at /tmp
// every step has, and argv in exec form.
func (w *writer) run(about string, cmd *plan.Command, mounts []llb.Mount, argv []string) {
	w.args(cmd.Args, cmd.Origin.At)
	var flags []string
	for _, m := range mounts {
		if f, ok := w.mount(m); ok {
			flags = append(flags, f)
		}
	}
	flags = append(flags, mountFlag([2]string{"type", "tmpfs"}, [2]string{"target", "/tmp"}))
	if about != "" {
		w.comment("%s", about)
	}
	if !w.chk.value(cmd.Origin.At, "the command", strings.Join(argv, "")) {
		return
	}
	var b strings.Builder
	b.WriteString("RUN ")
	for _, f := range flags {
		b.WriteString(f + " \\\n    ")
	}
	b.WriteString(jsonArray(argv))
	w.emit(b.String())
}

// shell is a command as the converter runs it.
func shell(cmd *plan.Command) []string { return []string{"/bin/sh", "-c", cmd.Script()} }

// mount is a --mount flag.
func (w *writer) mount(m llb.Mount) (string, bool) {
	at := m.Origin.At
	switch m.Kind {
	case llb.CacheMount:
		if !w.chk.flag(at, "the cache id "+spec.Printable(m.ID, spec.ValueLimit), m.ID) || !w.chk.flag(at, "the cache path", m.Target) {
			return "", false
		}
		w.note("cache ns", at, "the ids are the Stagefile's, but the Dockerfile frontend prefixes each with BUILDKIT_CACHE_MOUNT_NS and \"/\": "+
			"these are other caches than the Stagefile build's, empty at the first build")
		return mountFlag([2]string{"type", "cache"}, [2]string{"id", m.ID}, [2]string{"target", m.Target}, [2]string{"sharing", m.Sharing}), true
	case llb.ContextMount:
		if !w.chk.flag(at, "dependencies.config "+spec.Printable(m.Source, spec.ValueLimit), m.Source) || !w.chk.flag(at, "dependencies.config's mount point", m.Target) {
			return "", false
		}
		return mountFlag([2]string{"type", "bind"}, [2]string{"source", m.Source}, [2]string{"target", m.Target}), true
	case llb.SecretMount:
		if !w.chk.flag(at, "the secret id", m.ID) || !w.chk.flag(at, "the secret's target", m.Target) || !w.chk.flag(at, "the secret's env", m.Env) {
			return "", false
		}
		fields := [][2]string{{"type", "secret"}, {"id", m.ID}}
		if m.Target != "" {
			fields = append(fields, [2]string{"target", m.Target})
		}
		if m.Env != "" {
			fields = append(fields, [2]string{"env", m.Env})
		}
		fields = append(fields, [2]string{"required", fmt.Sprint(m.Required)})
		return mountFlag(fields...), true
	}
	return "", false
}

// contextPath is a path of the context or workdir for a COPY source.
func (w *writer) contextPath(v plan.Value[string], what string) (string, bool) {
	c := path.Clean(v.Value)
	if !w.chk.path(v.Origin.At, what+" "+spec.Printable(v.Value, spec.ValueLimit), c) {
		return "", false
	}
	return c, true
}

// workdir is the plan's workdir, checked for COPY and WORKDIR.
func (w *writer) workdir() string {
	wd := w.p.Workdir.Value
	if !w.chk.path(w.p.Workdir.Origin.At, "workdir", wd) {
		return "/app"
	}
	return wd
}

// copyLine is a COPY in exec form: flags, then sources and dest, each a
// bare lexer word.
func copyLine(flags []string, srcs []string, dest string) string {
	items := make([]string, 0, len(srcs)+1)
	for _, s := range srcs {
		items = append(items, bare(s))
	}
	items = append(items, bare(dest))
	line := "COPY "
	for _, f := range flags {
		line += f + " "
	}
	return line + jsonArray(items)
}

// excludes are --exclude flags.
func (w *writer) excludes(values []plan.Value[string], field string) []string {
	var out []string
	for _, v := range values {
		if w.chk.flag(v.Origin.At, field+" "+spec.Printable(v.Value, spec.ValueLimit), v.Value) {
			out = append(out, "--exclude="+flagWord(v.Value))
		}
	}
	return out
}

// gated: the targets other than the test ones require the tests.
func (w *writer) gated() bool { return w.p.Test.Run != nil }

func (w *writer) ungatedNote() {
	if !w.gated() {
		return
	}
	w.note("ungated "+w.stage, w.p.Test.Run.Origin.At, "the Stagefile's %s target requires the tests; a stage cannot require one that "+
		"comes after it, and this one is what the tests run on: --target %s here does not run them", w.stage, w.stage)
}

func (w *writer) dependencies() {
	p := w.p
	d := p.Dependencies
	desc := targetDescription(llb.TargetDependencies)
	w.from(w.image(p.Image, "image"), llb.TargetDependencies, desc)
	w.ungatedNote()
	w.env(p.Env, "env")
	w.comment("Every step runs as root, in workdir, as in the Stagefile, whatever the image's user.")
	w.emit("USER 0:0")
	wd := w.workdir()
	w.emit("WORKDIR " + quoted(wd))
	installs := llb.InstallMounts(p)
	if d.Tools != nil {
		w.blank()
		w.run(fmt.Sprintf("dependencies.tools (%s): in a step of its own before the manifests are copied, so a lockfile change does not run it again.", w.origin(d.Tools.Origin)),
			d.Tools, installs, shell(d.Tools))
	}
	if len(d.Manifests) > 0 {
		w.blank()
		w.comment("dependencies.manifests: only these are copied before the installs, so a source edit keeps them cached.")
		var srcs []string
		for _, m := range d.Manifests {
			if c, ok := w.contextPath(m, "the manifest"); ok {
				srcs = append(srcs, c)
				w.comment("%s (%s)", c, w.origin(m.Origin))
			}
		}
		w.emit(copyLine([]string{"--parents"}, srcs, wd+"/"))
	}
	if d.Production == nil && d.Development == nil {
		return
	}
	w.blank()
	w.installNotes()
	if d.Production != nil {
		w.run(fmt.Sprintf("dependencies.production (%s): what the release needs at run time; workdir as it leaves it is the release's dependency layer.", w.origin(d.Production.Origin)),
			d.Production, installs, shell(d.Production))
	}
}

// installNotes say what the installs do differently here: the fetch
// steps and the cross install, for opt.Platform.
func (w *writer) installNotes() {
	p := w.p
	d := p.Dependencies
	target, build := w.opt.Platform, w.opt.BuildPlatform
	if f := d.Fetch; f != nil {
		n := 0
		for _, g := range f.Groups() {
			for _, dl := range g {
				if dl.Arch == nil || slices.Contains(dl.Arch, target.Architecture) {
					n++
				}
			}
		}
		w.note("fetch", f.Origin.At, "dependencies.fetch: the Stagefile downloads the %d locked packages for %s in steps of their own "+
			"(%d groups), which the installs read from a mirror and a registry cache carries to a fresh runner; "+
			"a Dockerfile has no such steps: here the installs download them", n, platforms.Format(target), len(f.Groups()))
	}
	if c := d.Cross; c != nil {
		var how string
		_, cross := c.Env[target.Architecture]
		switch {
		case platforms.Only(build).Match(target):
			how = fmt.Sprintf("for %s, the build platform, both install natively", platforms.Format(target))
		case cross && len(c.Check) > 0:
			how = fmt.Sprintf("for %s the Stagefile installs on %s (%s) when a check of the installed tree at build time finds nothing "+
				"that differs by platform", platforms.Format(target), platforms.Format(build), c.Why)
		case cross:
			how = fmt.Sprintf("for %s the Stagefile installs natively on %s and copies the result (%s)", platforms.Format(target), platforms.Format(build), c.Why)
		default:
			how = fmt.Sprintf("for %s both install on it, emulated (%s)", platforms.Format(target), c.Why)
		}
		w.note("cross", c.Origin.At, "the installs run on each target platform, emulated where the builder is another; %s. "+
			"A Dockerfile cannot make that decision per platform at build time", how)
	}
}

func (w *writer) development() {
	p := w.p
	d := p.Dependencies
	w.blank()
	w.from(llb.TargetDependencies, llb.TargetDevelopment, targetDescription(llb.TargetDevelopment))
	w.ungatedNote()
	if d.Development != nil {
		w.run(fmt.Sprintf("dependencies.development (%s): adds what test and build need, on top of the production install.", w.origin(d.Development.Origin)),
			d.Development, llb.InstallMounts(p), shell(d.Development))
	}
	first, app := llb.SourceCopies(p)
	wd := w.workdir()
	excl := w.excludes(p.Source.Exclude, "source.exclude")
	// the ejected file's own name, as the Stagefile leaves out its own
	own := []string{"--exclude=**/Dockerfile", "--exclude=**/Dockerfile.dockerignore"}
	w.comment("The source: the build context without source.exclude (%s), on top of .dockerignore; "+
		"and without this file (saved under another name, write that name here): editing it reruns neither test nor build.",
		strings.Join(plan.Values(p.Source.Exclude), " "))
	var appDir string
	if app != nil {
		appDir = path.Clean(p.App.Value)
		if !w.chk.path(p.App.Origin.At, "app", appDir) || !w.chk.flag(p.App.Origin.At, "app", appDir) {
			return
		}
	}
	if first.Include == nil {
		flags := append(append([]string{}, excl...), own...)
		if app != nil {
			flags = append(flags, "--exclude="+flagWord(appDir))
			w.comment("build.workspace runs on the context without the app's folder %s, copied after it: an edit in the app keeps it cached.", appDir)
		}
		w.emit(copyLine(flags, []string{"."}, wd+"/"))
	} else {
		w.comment("source.scope is workspace: only what the app uses is copied, so an edit elsewhere reruns neither test nor build.")
		var srcs []string
		for _, v := range p.Source.Include {
			c, ok := w.contextPath(v, "source.include")
			if !ok || app != nil && c == appDir {
				continue
			}
			srcs = append(srcs, c)
			w.comment("%s (%s)", c, w.origin(v.Origin))
		}
		flags := append([]string{"--parents"}, excl...)
		flags = append(flags, own...)
		if app != nil {
			flags = append(flags, "--exclude="+flagWord(appDir))
			w.comment("build.workspace runs on the scope without the app's folder %s, copied after it: an edit in the app keeps it cached.", appDir)
		}
		w.emit(copyLine(flags, srcs, wd+"/"))
	}
	if app != nil {
		ws := p.Build.Workspace
		w.run(fmt.Sprintf("build.workspace (%s): builds the workspace packages the app uses.", w.origin(ws.Origin)),
			ws, llb.StepMounts(p, p.Build.Caches, plan.SecretBuild), shell(ws))
		flags := append([]string{"--parents"}, excl...)
		flags = append(flags, own...)
		w.emit(copyLine(flags, []string{appDir}, wd+"/"))
	}
}

// appDir moves a test or build stage into the app's folder.
func (w *writer) appDir() {
	if w.p.App.Value != "." {
		w.emit("WORKDIR " + quoted(w.appPath()))
	}
}

// appPath is the app's folder in the image, checked.
func (w *writer) appPath() string {
	if !w.chk.path(w.p.App.Origin.At, "app", w.p.App.Value) {
		return w.workdir()
	}
	return path.Join(w.workdir(), w.p.App.Value)
}

// argName refuses a name no ARG can declare (plan.Check refuses it too).
func (w *writer) argName(at spec.Range, name string) bool {
	if !varName.MatchString(name) {
		w.chk.fail(at, "%q is not a build arg name ARG can declare (eject cannot write it)", spec.Printable(name, spec.ValueLimit))
		return false
	}
	return true
}

func (w *writer) test() {
	p := w.p
	t := p.Test
	w.blank()
	if t.Run == nil {
		w.comment("There is no test step: the release is untested.")
		w.from(llb.TargetDevelopment, llb.TargetTest, targetDescription(llb.TargetTest))
		w.blank()
		w.from(llb.TargetDevelopment, llb.TargetTestReports, targetDescription(llb.TargetTestReports))
		return
	}
	w.platformsNote(t.Platforms, "test.platforms", "the tests")
	caches := llb.StepMounts(p, t.Caches, plan.SecretTest)
	wd := w.workdir()
	if len(t.Reports) == 0 {
		w.from(llb.TargetDevelopment, llb.TargetTest, targetDescription(llb.TargetTest))
		w.appDir()
		w.run(fmt.Sprintf("test.run (%s): a failing test fails this stage, and every target that requires it.", w.origin(t.Run.Origin)),
			t.Run, caches, shell(t.Run))
		w.blank()
		w.comment("The Stagefile refuses --target test-reports without test.reports; here it is the test target.")
		w.from(llb.TargetTest, llb.TargetTestReports, "")
		return
	}
	// the tests record their exit code instead of failing, so the
	// reports of a failing run can be exported (test-reports)
	w.comment("test.run (%s), with test.reports: the exit code and output are recorded in %s instead of failing, "+
		"so test-reports can export the reports of a failing run; test-gate then fails when it is not 0.", w.origin(t.Run.Origin), llb.StatusDir)
	w.from(llb.TargetDevelopment, stageTestRun, "")
	w.appDir()
	script := t.Run.Script()
	w.run("", t.Run, caches, []string{"/bin/sh", "-c", "mkdir -p " + llb.StatusDir + " && " + llb.RecordScript(), script})
	w.blank()
	w.from(stageTestRun, stageTestGate, "")
	w.run("", &plan.Command{Origin: t.Run.Origin}, nil, []string{"/bin/sh", "-c", llb.GateScript()})
	var reports []string
	for _, r := range t.Reports {
		if c, ok := w.contextPath(r, "test.reports"); ok {
			reports = append(reports, wd+"/./"+c)
		}
	}
	w.blank()
	w.from("scratch", llb.TargetTest, targetDescription(llb.TargetTest))
	w.emit(copyLine([]string{"--parents", "--from=" + stageTestGate}, reports, "/"))
	w.blank()
	w.from("scratch", llb.TargetTestReports, targetDescription(llb.TargetTestReports))
	w.emit(copyLine([]string{"--parents", "--from=" + stageTestRun}, reports, "/"))
	w.emit(copyLine([]string{"--from=" + stageTestRun}, []string{llb.StatusDir + "/" + llb.ExitCodeFile, llb.StatusDir + "/" + llb.OutputFile}, "/"))
}

// platformsNote: test.platforms or build.platforms is build.
func (w *writer) platformsNote(v plan.Value[string], field, what string) {
	if v.Value != plan.BuildPlatform {
		return
	}
	w.note(field, v.Origin.At, "%s: build runs %s once, on the build platform, for every target platform; a Dockerfile stage "+
		"runs on the platform it is built for: here they run on each", field, what)
}

// gate makes the stage require the tests.
func (w *writer) gate(link bool) {
	if !w.gated() {
		return
	}
	w.note("passthrough", w.p.Test.Run.Origin.At, "the Stagefile's graph makes each target require the tests without touching it "+
		"(a passthrough op); here a COPY from the test stage of %s, which no file matches, adds nothing but cannot run "+
		"before the tests passed", GateGlob)
	w.comment("This target requires the tests: the copy adds nothing (no file matches), and waits for the test stage.")
	flags := []string{"--from=" + llb.TargetTest}
	if link {
		flags = append([]string{"--link"}, flags...)
	}
	w.emit(copyLine(flags, []string{GateGlob}, "/"))
}

func (w *writer) build() {
	p := w.p
	b := p.Build
	w.blank()
	w.from(llb.TargetDevelopment, llb.TargetBuild, targetDescription(llb.TargetBuild))
	if b.Run != nil {
		w.platformsNote(b.Platforms, "build.platforms", "the build step")
		w.appDir()
		w.run(fmt.Sprintf("build.run (%s): in parallel with the tests.", w.origin(b.Run.Origin)),
			b.Run, llb.StepMounts(p, b.Caches, plan.SecretBuild), shell(b.Run))
	}
	w.gate(false)
}

func (w *writer) release() {
	p := w.p
	r := p.Release
	wd := w.workdir()
	w.blank()
	w.from(w.image(r.Image, "release.image"), llb.TargetRelease, targetDescription(llb.TargetRelease))
	if len(p.Dependencies.Packages) > 0 {
		n := len(p.Dependencies.Packages)
		w.note("sbom", p.Dependencies.PackagesFrom.At, "with --sbom=true the Stagefile attaches its own SBOM: the %d production "+
			"packages the lockfile pins (%s); the Dockerfile frontend runs a scanner image (docker/buildkit-syft-scanner) "+
			"instead, which it must be able to pull", n, w.origin(p.Dependencies.PackagesFrom))
	}
	linked := false
	link := func() {
		if !linked {
			linked = true
			w.note("merge", r.At, "the Stagefile assembles the release with one merge of independent layers (MergeOp); "+
				"COPY --link makes each copy a layer of its own, merged on top, which keeps what matters: a source edit "+
				"does not copy the dependencies again")
		}
	}
	if p.HasDependencyLayer() {
		link()
		w.comment("The production dependencies: workdir as the production install left it, without what the app does not read (dependencies.unshipped).")
		flags := append([]string{"--link", "--from=" + llb.TargetDependencies}, w.excludes(p.Dependencies.Unshipped, "dependencies.unshipped")...)
		w.emit(copyLine(flags, []string{wd}, wd))
	}
	if len(p.Build.Outputs) > 0 {
		link()
		var srcs []string
		for _, o := range p.Build.Outputs {
			c, ok := w.contextPath(o, "build.outputs")
			if !ok {
				continue
			}
			w.comment("output %s (%s)", c, w.origin(o.Origin))
			if llb.OutputsFromContext(p) {
				srcs = append(srcs, c)
			} else {
				srcs = append(srcs, wd+"/./"+c)
			}
		}
		if llb.OutputsFromContext(p) {
			w.comment("build.outputs, from the context (there is no build step), at the same paths in workdir.")
			w.emit(copyLine([]string{"--link", "--parents"}, srcs, wd+"/"))
		} else {
			w.comment("build.outputs, from the build, at the same paths (a pattern's matches keep their names: --parents).")
			w.emit(copyLine([]string{"--link", "--parents", "--from=" + llb.TargetBuild}, srcs, wd+"/"))
		}
	}
	w.gate(true)
	w.env(r.Env, "release.env")
	w.labels()
	if r.User.Set() {
		if w.chk.line(r.User.Origin.At, "release.user", r.User.Value) {
			w.comment("release.user (%s)", w.origin(r.User.Origin))
			w.emit("USER " + quoted(r.User.Value))
		}
	} else if p.Preset.Set() {
		w.note("user", p.Preset.Origin.At, "release.user: preset %s may pick an unprivileged user from the runtime image at build time, "+
			"which eject cannot read (no daemon): here the release runs as the runtime image's own user, root unless it sets one. "+
			"Write release.user in the Stagefile and eject again, or a USER line here", p.Preset.Value)
	}
	if len(r.Writable) > 0 {
		if r.User.Set() {
			var e *spec.Error
			if err := llb.CheckWritableOwner(p, r.User.Value); errors.As(err, &e) {
				w.chk.errs = append(w.chk.errs, e)
			}
		} else {
			w.note("writable owner", r.Writable[0].Origin.At, "release.writable: the Stagefile refuses writable folders for an app "+
				"that runs as root; here they belong to the runtime image's user, whoever it is")
		}
		w.comment("release.writable: created owned by the release's user (WORKDIR makes a folder its user's); nothing else is.")
		for _, d := range llb.WritableDirs(p) {
			if w.chk.path(r.Writable[0].Origin.At, "release.writable", d) {
				w.emit("WORKDIR " + quoted(d))
			}
		}
	}
	w.emit("WORKDIR " + quoted(w.appPath()))
	if len(r.Expose) > 0 {
		var ports []string
		for _, v := range r.Expose {
			if !port.MatchString(v.Value) {
				w.chk.fail(v.Origin.At, "release.expose %q is not a port EXPOSE can write", spec.Printable(v.Value, spec.ValueLimit))
				continue
			}
			ports = append(ports, v.Value)
		}
		w.emit("EXPOSE " + strings.Join(ports, " "))
	}
	w.healthcheck()
	if r.StopSignal.Set() && w.chk.line(r.StopSignal.Origin.At, "release.stopSignal", r.StopSignal.Value) {
		w.emit("STOPSIGNAL " + quoted(r.StopSignal.Value))
	}
	w.note("start", r.At, "before exporting, the Stagefile checks that the release has the program and the script its command names; "+
		"a Dockerfile does not: docker run finds out")
	if r.Entrypoint.Set() {
		w.comment("release.entrypoint (%s)", w.origin(r.Entrypoint.Origin))
		w.emit("ENTRYPOINT " + jsonArray(w.checkArgv(r.Entrypoint, "release.entrypoint")))
	}
	if r.Cmd.Set() {
		w.comment("release.cmd (%s)", w.origin(r.Cmd.Origin))
		w.emit("CMD " + jsonArray(w.checkArgv(r.Cmd, "release.cmd")))
	}
}

func (w *writer) checkArgv(v plan.Value[[]string], field string) []string {
	for _, a := range v.Value {
		if !w.chk.value(v.Origin.At, field, a) {
			return nil
		}
	}
	if v.Value == nil {
		return []string{}
	}
	return v.Value
}

func (w *writer) labels() {
	for _, l := range w.p.Release.Labels {
		what := "release.labels." + l.Name
		if !w.chk.line(l.Origin.At, "release.labels", l.Name) {
			continue
		}
		if strings.Contains(l.Name, "=") || l.Name == "" {
			w.chk.fail(l.Origin.At, "the label name %q holds \"=\", which LABEL reads as the end of the name (eject cannot write it)", spec.Printable(l.Name, spec.ValueLimit))
			continue
		}
		w.args(w.templateRefs(l), l.Origin.At)
		value := w.varValue(l, what)
		w.comment("%s (%s)", what, w.origin(l.Origin))
		w.emit("LABEL " + quoted(l.Name) + "=" + value)
	}
}

func (w *writer) healthcheck() {
	h := w.p.Release.Healthcheck
	if h == nil {
		return
	}
	line := "HEALTHCHECK"
	for _, d := range []struct {
		flag string
		v    plan.Value[string]
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}, {"start-interval", h.StartInterval}} {
		if !d.v.Set() {
			continue
		}
		t, err := time.ParseDuration(d.v.Value)
		if err != nil || t <= 0 {
			w.chk.fail(d.v.Origin.At, "release.healthcheck %s %q is not a duration", d.flag, spec.Printable(d.v.Value, spec.ValueLimit))
			continue
		}
		line += " --" + d.flag + "=" + t.String() // ASCII: 1ms and more never print as µs
	}
	if h.Retries.Value > 0 {
		line += fmt.Sprintf(" --retries=%d", h.Retries.Value)
	}
	w.comment("release.healthcheck (%s)", w.origin(h.Origin))
	w.emit(line + " CMD " + jsonArray(w.checkArgv(h.Test, "release.healthcheck.test")))
}

func targetDescription(name string) string {
	for _, t := range llb.Targets {
		if t.Name == name {
			return t.Description
		}
	}
	return ""
}
