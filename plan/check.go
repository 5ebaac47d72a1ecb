package plan

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/moby/sys/signal"

	"github.com/stagefile/stagefile/spec"
)

// Check validates every value of the plan, whoever decided it: a value a
// preset filled obeys the same rules as one the user wrote, and its error
// points at the preset line and says where it came from. With complete
// set, it also checks what a finished plan must have (an image, a test
// command for a test section...); before the preset ran, it is not.
// eco tells the ecosystems' dependency folders and credential files.
func Check(p *Plan, complete bool, eco Ecosystems) error {
	c := &checker{p: p, eco: eco}
	c.check(complete)
	return c.errs.Err()
}

type checker struct {
	p    *Plan
	eco  Ecosystems
	errs spec.Errors
}

// errorf records a problem with the value at field (as the Stagefile
// names it), decided by o. For a value a preset filled, the message says
// so and how to override it.
func (c *checker) errorf(field string, o Origin, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	switch o.Kind {
	case Preset:
		from := ""
		if o.From != "" {
			from = " from " + o.From
		}
		msg += fmt.Sprintf(" [%s was filled by preset %s%s: write it in the Stagefile to choose another]", field, o.Preset, from)
	case Default:
		if o.From != "" {
			msg += fmt.Sprintf(" [%s defaults to %s]", field, o.From)
		}
	}
	c.errs = append(c.errs, &spec.Error{File: c.p.File, Range: o.At, Msg: msg})
}

func (c *checker) check(complete bool) {
	p := c.p
	if p.Image.Set() {
		c.imageRef("image", p.Image)
	} else if complete {
		c.errorf("image", Origin{At: p.Span}, "missing \"image\" (add the base image the dependency, test and build steps run on, e.g. \"image: debian:bookworm-slim\")")
	}
	c.workdir(p.Workdir)
	c.relPath("app", p.App, "the build context")
	for _, a := range p.Args {
		if !envName.MatchString(a.Name) {
			c.errorf("args", a.Origin, "invalid arg name \"%s\" (use letters, digits and '_', not starting with a digit)", printable(a.Name))
		} else if reservedArg(a.Name) {
			c.errorf("args", a.Origin, "%s is set by BuildKit or the frontend, not by the Stagefile (remove it from args; ${%s} works where it is predefined)", a.Name, a.Name)
		}
	}
	c.env("env", p.Env)
	for i, e := range p.Source.Exclude {
		c.nonEmpty(fmt.Sprintf("source.exclude[%d]", i), e, "a .dockerignore-style pattern")
	}
	for i, e := range p.Source.Include {
		c.relPath(fmt.Sprintf("source.include[%d]", i), e, "the build context")
	}
	if sc := p.Source.Scope; sc.Set() && sc.Value != ScopeWorkspace && sc.Value != ScopeContext {
		c.errorf("source.scope", sc.Origin, "unknown scope \"%s\" (write workspace, to copy only what the app depends on, or context, to copy the whole context)", printable(sc.Value))
	} else if complete && sc.Value == ScopeWorkspace && len(p.Source.Include) == 0 {
		c.errorf("source.scope", sc.Origin, "source.scope is workspace, but nothing scopes it: no preset found the app's workspace (set app to the app's folder with a preset that reads its workspace, or list the paths under source.include)")
	}
	c.command("build.workspace", p.Build.Workspace)
	if complete && p.Build.Workspace != nil && path.Clean(p.App.Value) == "." {
		c.errorf("build.workspace", p.Build.Workspace.Origin, "build.workspace builds the packages an app of a workspace uses before the app, but app is the whole context (set app to the app's folder, or move the command into build.run)")
	}
	c.dependencies(complete)
	c.secrets()
	c.command("test.run", p.Test.Run)
	if n := p.Test.None; n.Set() {
		if p.Test.Run != nil && p.Test.Run.Origin.Kind == Stagefile {
			c.errorf("test.none", n.Origin, "test.none says the release ships without tests, and test.run runs some (remove one)")
		} else {
			c.nonEmpty("test.none", n, "why the release ships without tests")
		}
	}
	if complete && p.Test.Declared && p.Test.Run == nil {
		c.errorf("test", Origin{At: p.Test.At}, "test needs \"run\" (the command that runs the tests, e.g. \"run: make test\")")
	}
	c.caches("test.caches", p.Test.Caches)
	for i, r := range p.Test.Reports {
		c.relPath(fmt.Sprintf("test.reports[%d]", i), r, "workdir")
	}
	c.command("build.run", p.Build.Run)
	c.caches("build.caches", p.Build.Caches)
	for _, f := range []struct {
		field string
		v     Value[string]
	}{{"test.platforms", p.Test.Platforms}, {"build.platforms", p.Build.Platforms}} {
		if f.v.Set() && f.v.Value != AllPlatforms && f.v.Value != BuildPlatform {
			c.errorf(f.field, f.v.Origin, "unknown platforms \"%s\" (write all, to run on every target platform, or build, to run once on the build platform)", printable(f.v.Value))
		}
	}
	for i, o := range p.Build.Outputs {
		c.output(fmt.Sprintf("build.outputs[%d]", i), o)
	}
	c.release()
}

func (c *checker) dependencies(complete bool) {
	d := c.p.Dependencies
	seen := map[string]string{}
	for _, list := range []struct {
		name  string
		items []Value[string]
	}{{"dependencies.manifests", d.Manifests}, {"dependencies.config", d.Config}} {
		for i, m := range list.items {
			field := fmt.Sprintf("%s[%d]", list.name, i)
			clean, ok := c.relPath(field, m, "the build context")
			if !ok {
				continue
			}
			if why := wholeTree(clean); why != "" {
				c.errorf(field, m.Origin, "%q would copy %s into the dependency layer, so every source edit would reinstall (list only the files the installs read: the manifest and its lockfile)", m.Value, why)
				continue
			}
			if dir := c.eco.DependencyDir(clean); dir != "" {
				c.errorf(field, m.Origin, "%q is inside %s, which the installs create (list the files the installs read, not what they write)", m.Value, dir)
				continue
			}
			if prev, ok := seen[clean]; ok {
				c.errorf(field, m.Origin, "%q is listed twice (in %s too; remove one)", m.Value, prev)
			}
			seen[clean] = field
		}
	}
	c.command("dependencies.tools", d.Tools)
	c.command("dependencies.production", d.Production)
	c.command("dependencies.development", d.Development)
	if complete && (d.Production != nil || d.Development != nil) && len(d.Manifests) == 0 {
		c.errorf("dependencies", Origin{At: d.At}, "dependency installs need \"manifests\" (list the files they read, the manifest and its lockfile; only these are copied before installing, so source edits keep the installs cached)")
	}
	c.caches("dependencies.caches", d.Caches)
	c.fetch(d.Fetch)
}

// Integrity is a Subresource Integrity hash of an algorithm the
// downloader checks.
var Integrity = regexp.MustCompile(`^(sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$`)

// fetch checks a preset's downloads: their URLs, integrity and files come
// from the lockfile, which is the build context's, so untrusted.
func (c *checker) fetch(f *Fetch) {
	if f == nil {
		return
	}
	field := "dependencies (fetch)"
	p := path.Clean(f.Path)
	if !path.IsAbs(f.Path) {
		c.errorf(field, f.Origin, "the mirror path %q must be absolute", printable(f.Path))
	} else if why := c.collision(p, "mirror"); why != "" {
		c.errorf(field, f.Origin, "a mirror at %s would be mounted %s", p, why)
	} else if wd := path.Clean(c.p.Workdir.Value); strings.HasPrefix(p, wd+"/") {
		c.errorf(field, f.Origin, "a mirror at %s would be mounted inside workdir", p)
	}
	if len(f.Command) == 0 {
		c.errorf(field, f.Origin, "no downloader command")
	}
	c.env(field, f.Env)
	for _, d := range f.Packages {
		u, err := url.Parse(d.URL)
		switch {
		case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || hasControl(d.URL):
			c.errorf(field, f.Origin, "%s: %q is not an https URL without credentials", printable(d.Name), printable(spec.Redact(d.URL)))
		case !Integrity.MatchString(d.Integrity):
			c.errorf(field, f.Origin, "%s: %q is not an integrity hash (sha512-BASE64)", printable(d.Name), printable(d.Integrity))
		case d.File == "" || path.IsAbs(d.File) || path.Clean(d.File) != d.File || d.File == ".." || strings.HasPrefix(d.File, "../") || hasControl(d.File):
			c.errorf(field, f.Origin, "%s: %q is not a file inside the mirror", printable(d.Name), printable(d.File))
		}
	}
}

func (c *checker) output(field string, o Value[string]) {
	clean, ok := c.relPath(field, o, "workdir")
	if !ok {
		return
	}
	if clean == "." {
		c.errorf(field, o.Origin, "an output of \".\" would ship the whole workdir, dev dependencies and all (name what the build produced, e.g. \"dist\")")
	} else if why := wholeTree(clean); why != "" {
		c.errorf(field, o.Origin, "%q would ship %s of workdir, dev dependencies and all (name what the build produced, e.g. \"dist\")", o.Value, why)
	} else if dir := c.eco.DependencyDir(clean); dir != "" && !c.p.Release.NoDependencies.Value {
		// with release.dependencies: false the build makes what the app
		// runs with (a framework's traced dependencies, a bundle)
		c.errorf(field, o.Origin, "%q would ship %s with its dev dependencies; the release already has the production dependencies (name what the build produced, e.g. \"dist\")", o.Value, dir)
	}
}

func (c *checker) secrets() {
	p := c.p
	ids, targets, envs := map[string]bool{}, map[string]string{}, map[string]bool{}
	for i, sec := range p.Secrets {
		field := fmt.Sprintf("secrets[%d]", i)
		if !sec.ID.Set() || sec.ID.Value == "" {
			c.errorf(field, sec.Origin, "a secret needs an \"id\" (the id given to --secret id=...)")
			continue
		}
		if !secretID.MatchString(sec.ID.Value) || strings.Contains(sec.ID.Value, "..") {
			c.errorf(field+".id", sec.ID.Origin, "invalid secret id \"%s\" (use letters, digits, '.', '_' and '-', starting with a letter or digit)", printable(sec.ID.Value))
			continue
		}
		for j, st := range sec.Steps {
			if st.Value != SecretInstall && st.Value != SecretTest && st.Value != SecretBuild {
				c.errorf(fmt.Sprintf("%s.steps[%d]", field, j), st.Origin, "unknown step \"%s\" (write install, test or build)", printable(st.Value))
			}
		}
		if ids[sec.ID.Value] {
			c.errorf(field+".id", sec.ID.Origin, "secret %q is declared twice (remove one)", sec.ID.Value)
		}
		ids[sec.ID.Value] = true
		if sec.Env.Set() {
			if !envName.MatchString(sec.Env.Value) {
				c.errorf(field+".env", sec.Env.Origin, "invalid environment variable name \"%s\" (use letters, digits and '_', not starting with a digit)", printable(sec.Env.Value))
			} else if envs[sec.Env.Value] {
				c.errorf(field+".env", sec.Env.Origin, "two secrets set %s (give each its own variable)", sec.Env.Value)
			}
			envs[sec.Env.Value] = true
		}
		if !sec.Target.Set() {
			continue
		}
		t := sec.Target
		if !path.IsAbs(t.Value) {
			if _, ok := c.relPath(field+".target", t, "workdir"); !ok {
				continue
			}
		} else if !c.nonEmpty(field+".target", t, "a file path") {
			continue
		}
		target := p.SecretTarget(sec)
		if why := c.collision(target, "secret"); why != "" {
			c.errorf(field+".target", t.Origin, "secret %q would be mounted at %s, %s (%s)", sec.ID.Value, target, why, c.secretElsewhere(target))
			continue
		}
		if other, ok := targets[target]; ok {
			c.errorf(field+".target", t.Origin, "secrets %q and %q are both mounted at %s (give each its own target)", other, sec.ID.Value, target)
		}
		targets[target] = sec.ID.Value
	}
}

// secretElsewhere is how to fix a secret target that collides: for a
// project's credential file, what its ecosystem advises.
func (c *checker) secretElsewhere(target string) string {
	if f, ok := c.eco.CredentialFile(target); ok && f.SecretAdvice != "" {
		return f.SecretAdvice
	}
	return "choose another target"
}

// collision says why an absolute path cannot be mounted over (a secret
// or a cache): "" when it can.
func (c *checker) collision(p, what string) string {
	wd := c.p.Workdir.Value
	switch {
	case p == "/":
		return "over the whole image"
	case p == "/tmp":
		return "over /tmp, which every step already mounts as an empty tmpfs"
	case systemDirs[p]:
		return "over the image's " + p
	case systemFiles[p]:
		return "over the image's " + p
	case p == wd:
		return "over workdir"
	case strings.HasPrefix(wd, p+"/"):
		return "over a folder that holds workdir"
	}
	if what == "secret" {
		for _, m := range c.p.Dependencies.Manifests {
			if path.Join(wd, m.Value) == p {
				return "over the manifest " + m.Value + " the installs read"
			}
		}
		for _, m := range c.p.Dependencies.Config {
			if path.Join(wd, m.Value) == p {
				return "over the context's " + m.Value + ", dependencies.config from " + m.Origin.String() + ", which the installs read"
			}
		}
		for _, ca := range c.p.Dependencies.Caches {
			if cp := path.Clean(ca.Path.Value); p == cp || strings.HasPrefix(p, cp+"/") {
				return "inside the cache " + cp + " the installs mount"
			}
		}
	}
	return ""
}

func (c *checker) release() {
	r := c.p.Release
	if r.Image.Set() {
		c.imageRef("release.image", r.Image)
	}
	c.env("release.env", r.Env)
	for i, port := range r.Expose {
		c.port(fmt.Sprintf("release.expose[%d]", i), port)
	}
	if r.User.Set() && !userSpec.MatchString(r.User.Value) {
		c.errorf("release.user", r.User.Origin, "invalid user \"%s\" (write a user name or uid, optionally with a group: \"app\", \"1000\", \"1000:1000\")", printable(r.User.Value))
	}
	for _, v := range []struct {
		field string
		val   Value[[]string]
	}{{"release.entrypoint", r.Entrypoint}, {"release.cmd", r.Cmd}} {
		for _, a := range v.val.Value {
			if strings.ContainsRune(a, 0) {
				c.errorf(v.field, v.val.Origin, "%s holds a NUL character, which no command line can carry (remove it)", v.field)
			}
		}
		// exec form runs the first item as one file name: "app --port 80"
		// there is a command line written as one item (an absolute path
		// may hold a space)
		if len(v.val.Value) > 0 && (v.field == "release.entrypoint" || !r.Entrypoint.Set()) {
			if first := v.val.Value[0]; len(strings.Fields(first)) > 1 && !strings.HasPrefix(first, "/") {
				c.errorf(v.field, v.val.Origin, "%s[0] is \"%s\", one item with spaces, which runs as a single program name (write one item per word, e.g. %s)",
					v.field, printable(first), spec.FlowList(strings.Fields(first)))
			} else if first != "" && !strings.Contains(first, "/") {
				// a bare name is looked up on PATH, not in workdir
				for _, o := range c.p.Build.Outputs {
					if path.Clean(o.Value) == first {
						c.errorf(v.field, v.val.Origin, "%s[0] is %s, a build output in workdir, but a bare name is looked up on PATH (write ./%s)", v.field, printable(first), printable(first))
					}
				}
			}
		}
	}
	c.healthcheck(r.Healthcheck)
	c.env("release.check.env", r.Check.Env)
	if w := r.Check.Wait; w.Set() {
		if t, err := time.ParseDuration(w.Value); err != nil || t < 100*time.Millisecond || t > 10*time.Minute {
			c.errorf("release.check.wait", w.Origin, "invalid wait \"%s\" (write how long the app must keep running, from 100ms to 10m, e.g. 3s)", printable(w.Value))
		}
	}
	if r.StopSignal.Set() {
		if _, err := signal.ParseSignal(r.StopSignal.Value); err != nil || strings.TrimSpace(r.StopSignal.Value) == "" {
			c.errorf("release.stopSignal", r.StopSignal.Origin, "unknown signal \"%s\" (write a name such as SIGINT or SIGQUIT, or a number)", printable(r.StopSignal.Value))
		}
	}
	for i, w := range r.Writable {
		field := fmt.Sprintf("release.writable[%d]", i)
		if path.IsAbs(w.Value) {
			if c.nonEmpty(field, w, "a folder") && systemDirs[path.Clean(w.Value)] {
				c.errorf(field, w.Origin, "%s holds the image's own files; only a folder of the app's own can be made writable", path.Clean(w.Value))
			}
		} else if clean, ok := c.relPath(field, w, "workdir"); ok && clean == "." {
			c.errorf(field, w.Origin, "the whole workdir cannot be writable: the app could rewrite its own code (name the folders it writes, e.g. uploads)")
		}
	}
	for _, l := range r.Labels {
		if l.Name == "" || hasControl(l.Name) {
			c.errorf("release.labels", l.Origin, "invalid label name \"%s\" (use letters, digits, '.', '-' and '/')", printable(l.Name))
		}
	}
}

var (
	envName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	secretID = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	userSpec = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$`)
	portSpec = regexp.MustCompile(`^([1-9][0-9]{0,4})(/(tcp|udp|sctp))?$`)
)

// systemDirs hold the base image's own files: a workdir there would copy
// them into the release, and a mount there would hide them.
var systemDirs = setOf("/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt",
	"/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var",
	"/usr/bin", "/usr/include", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local", "/usr/sbin", "/usr/share", "/usr/src",
	"/usr/local/bin", "/usr/local/include", "/usr/local/lib", "/usr/local/sbin", "/usr/local/share",
	"/var/cache", "/var/lib", "/var/log", "/var/run", "/var/tmp")

// systemFiles are files every container relies on.
var systemFiles = setOf("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/nsswitch.conf")

// wholeTree says what a pattern would take if it takes everything at its
// top level ("*", "**", "**/x"): "" when it names something.
func wholeTree(clean string) string {
	switch first, _, _ := strings.Cut(clean, "/"); {
	case clean == ".":
		return "the whole tree"
	case first == "*" || first == "**":
		return "every file"
	}
	return ""
}

func setOf(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, i := range items {
		m[i] = true
	}
	return m
}

func (c *checker) nonEmpty(field string, v Value[string], what string) bool {
	if strings.TrimSpace(v.Value) == "" {
		c.errorf(field, v.Origin, "%q is empty (write %s, or remove the key)", field, what)
		return false
	}
	if hasControl(v.Value) {
		c.errorf(field, v.Origin, "%q holds control characters (%s; remove them)", field, printable(v.Value))
		return false
	}
	return true
}

func (c *checker) command(field string, cmd *Command) {
	if cmd == nil {
		return
	}
	script := cmd.Script()
	if strings.TrimSpace(script) == "" {
		c.errorf(field, cmd.Origin, "%q is empty (write the shell command to run, or remove the key)", field)
	} else if strings.ContainsRune(script, 0) {
		c.errorf(field, cmd.Origin, "%q holds a NUL character, which no shell can run (remove it)", field)
	}
}

// relPath checks a path that must stay inside base (the context or
// workdir) and returns it cleaned.
func (c *checker) relPath(field string, v Value[string], base string) (string, bool) {
	if !v.Set() {
		return "", false
	}
	if !c.nonEmpty(field, v, "a path relative to "+base) {
		return "", false
	}
	if path.IsAbs(v.Value) {
		fix := `drop the leading "/"`
		if wd := path.Clean(c.p.Workdir.Value); base == "workdir" && path.IsAbs(wd) && strings.HasPrefix(path.Clean(v.Value), wd+"/") {
			fix = fmt.Sprintf("write %q", strings.TrimPrefix(path.Clean(v.Value), wd+"/"))
		}
		c.errorf(field, v.Origin, "%q is absolute; paths here are relative to %s (%s)", v.Value, base, fix)
		return "", false
	}
	clean := path.Clean(v.Value)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		c.errorf(field, v.Origin, "%q escapes %s (remove the \"..\"; only files inside %s can be used)", v.Value, base, base)
		return "", false
	}
	return clean, true
}

func (c *checker) workdir(v Value[string]) {
	if !c.nonEmpty("workdir", v, "an absolute path such as /app") {
		return
	}
	if !path.IsAbs(v.Value) {
		c.errorf("workdir", v.Origin, "%q must be an absolute path in the image (write \"/%s\")", v.Value, v.Value)
		return
	}
	if clean := path.Clean(v.Value); systemDirs[clean] {
		c.errorf("workdir", v.Origin, "workdir %s holds the image's own files, and the release copies workdir whole (use a folder of its own, e.g. /app)", clean)
	}
}

func (c *checker) env(field string, vars []Var) {
	for _, v := range vars {
		if !envName.MatchString(v.Name) {
			c.errorf(field, v.Origin, "invalid environment variable name \"%s\" (use letters, digits and '_', not starting with a digit)", printable(v.Name))
		} else if strings.ContainsRune(v.Value, 0) {
			c.errorf(field, v.Origin, "%s holds a NUL character, which no environment can carry (remove it)", v.Name)
		}
	}
}

func (c *checker) caches(field string, caches []Cache) {
	seen := map[string]bool{}
	for i, cache := range caches {
		cf := fmt.Sprintf("%s[%d]", field, i)
		if !cache.Path.Set() || cache.Path.Value == "" {
			c.errorf(cf, cache.Origin, "a cache needs a \"path\" (the absolute directory to mount it at)")
			continue
		}
		p := cache.Path.Value
		if !path.IsAbs(p) {
			c.errorf(cf, cache.Path.Origin, "cache path %q must be absolute (e.g. /root/.cache/tool)", p)
			continue
		}
		clean := path.Clean(p)
		if why := c.collision(clean, "cache"); why != "" {
			c.errorf(cf, cache.Path.Origin, "a cache at %s would be mounted %s (use a folder of its own, e.g. /root/.cache/tool)", clean, why)
			continue
		}
		if seen[clean] {
			c.errorf(cf, cache.Path.Origin, "two caches are mounted at %s (remove one)", clean)
		}
		seen[clean] = true
		switch cache.Sharing.Value {
		case "", "shared", "locked", "private":
		default:
			c.errorf(cf+".sharing", cache.Sharing.Origin, "unknown sharing \"%s\" (use shared, locked or private)", printable(cache.Sharing.Value))
		}
	}
}

func (c *checker) imageRef(field string, ref Value[string]) {
	if _, err := reference.ParseNormalizedNamed(ref.Value); err != nil {
		c.errorf(field, ref.Origin, "invalid image reference \"%s\": %v (write e.g. \"debian:bookworm-slim\" or \"registry.example.com/team/base:1\")", printable(ref.Value), err)
	}
}

func (c *checker) port(field string, v Value[string]) {
	m := portSpec.FindStringSubmatch(v.Value)
	if m == nil {
		if num, proto, ok := strings.Cut(v.Value, "/"); ok && portSpec.MatchString(num) {
			c.errorf(field, v.Origin, "invalid protocol \"%s\" in port %q (use tcp, udp or sctp)", printable(proto), v.Value)
			return
		}
		c.errorf(field, v.Origin, "invalid port \"%s\" (write a number from 1 to 65535, optionally with /tcp or /udp, e.g. 8080 or 53/udp)", printable(v.Value))
		return
	}
	if n, _ := strconv.Atoi(m[1]); n > 65535 {
		c.errorf(field, v.Origin, "invalid port %q (write a number from 1 to 65535, optionally with /tcp or /udp, e.g. 8080 or 53/udp)", v.Value)
	}
}

func (c *checker) healthcheck(h *Healthcheck) {
	if h == nil {
		return
	}
	if len(h.Test.Value) == 0 {
		c.errorf("release.healthcheck.test", h.Origin, "a healthcheck needs \"test\", the command in exec form whose exit 0 means healthy (e.g. test: [/app/healthcheck])")
	}
	for _, d := range []struct {
		field string
		v     Value[string]
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"startPeriod", h.StartPeriod}, {"startInterval", h.StartInterval}} {
		if !d.v.Set() {
			continue
		}
		if t, err := time.ParseDuration(d.v.Value); err != nil || t < time.Millisecond {
			c.errorf("release.healthcheck."+d.field, d.v.Origin, "invalid duration \"%s\" (write a duration of at least 1ms, e.g. 30s, 500ms or 1m30s)", printable(d.v.Value))
		}
	}
	if h.Retries.Value < 0 {
		c.errorf("release.healthcheck.retries", h.Retries.Origin, "retries cannot be negative")
	}
}

func hasControl(s string) bool { return spec.HasControl(s) }

// printable shows a value in a message without control characters (which
// would reach the user's terminal) and without its whole length.
func printable(s string) string { return spec.Printable(s, spec.ValueLimit) }

// escapeControl writes control characters escaped, whatever the length.
func escapeControl(s string) string { return spec.Printable(s, -1) }
