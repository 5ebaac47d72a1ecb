package spec

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"
)

// checker collects semantic errors and warnings with the positions of the
// values they are about.
type checker struct {
	s        *Spec
	errs     Errors
	warnings []*Warning
}

func (c *checker) errorf(p string, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.s.file, Range: c.s.Where(p), Msg: fmt.Sprintf(format, args...)})
}

// warnf records a warning under a rule name (for --call check) at the
// value p.
func (c *checker) warnf(rule, p string, format string, args ...any) {
	c.warnings = append(c.warnings, &Warning{File: c.s.file, Range: c.s.Where(p), Msg: fmt.Sprintf(format, args...), Rule: rule})
}

func (c *checker) written(p string) bool { return c.s.Written(p) }

// validate checks what decoding cannot: required keys, paths, commands,
// references. It is run on what the user wrote, before presets and defaults.
func (c *checker) validate() {
	s := c.s
	switch {
	case !c.written("version"):
		c.errorf("", "missing \"version\" (add \"version: 1\" at the top)")
	case s.Version != Version:
		c.errorf("version", "unsupported version %d (this frontend reads version %d; write \"version: %d\" or use a frontend image that reads version %d)", s.Version, Version, Version, s.Version)
	}
	if s.Preset != "" && s.Preset != "node" {
		c.errorf("preset", "unknown preset %q (the presets are: node)", s.Preset)
	}
	if !c.written("image") || s.Image == "" {
		c.errorf("image", "missing \"image\" (add the base image the dependency, test and build steps run on, e.g. \"image: node:20-bookworm-slim\")")
	} else {
		c.imageRef("image", s.Image)
	}
	if c.written("workdir") {
		c.absPath("workdir", s.Workdir)
	}
	if c.written("app") {
		c.relPath("app", s.App, "the build context")
	}
	c.env("env", s.Env)
	for i, p := range s.Source.Exclude {
		c.nonEmpty(fmt.Sprintf("source.exclude[%d]", i), p, "a .dockerignore-style pattern")
	}

	d := s.Dependencies
	seen := map[string]bool{}
	for i, m := range d.Manifests {
		p := fmt.Sprintf("dependencies.manifests[%d]", i)
		clean, ok := c.relPath(p, m, "the build context")
		if !ok {
			continue
		}
		if seen[clean] {
			c.errorf(p, "%q is listed twice (remove one)", m)
		}
		seen[clean] = true
		if base := path.Base(clean); base == ".npmrc" || base == ".yarnrc.yml" || base == ".pypirc" {
			c.warnf("TokenInManifests", p, "%s often holds a registry token and would be stored in image layers (declare it under \"secrets\" instead, so it is only mounted during the installs)", m)
		}
	}
	c.command("dependencies.production", d.Production)
	c.command("dependencies.development", d.Development)
	if (d.Production != "" || d.Development != "") && len(d.Manifests) == 0 && s.Preset == "" {
		c.errorf("dependencies", "dependency installs need \"manifests\" (list the files they read, e.g. [package.json, yarn.lock]; only these are copied before installing, so source edits keep the installs cached)")
	}
	c.caches("dependencies.caches", d.Caches)

	ids := map[string]bool{}
	for i, sec := range s.Secrets {
		p := fmt.Sprintf("secrets[%d]", i)
		if sec.ID == "" {
			c.errorf(p, "a secret needs an \"id\" (the id given to --secret id=...)")
			continue
		}
		if !secretID.MatchString(sec.ID) {
			c.errorf(p+".id", "invalid secret id %q (use letters, digits, '.', '_' and '-')", sec.ID)
		}
		if ids[sec.ID] {
			c.errorf(p+".id", "secret %q is declared twice (remove one)", sec.ID)
		}
		ids[sec.ID] = true
		if sec.Target != "" && !path.IsAbs(sec.Target) {
			c.relPath(p+".target", sec.Target, "workdir")
		}
		if sec.Env != "" && !envName.MatchString(sec.Env) {
			c.errorf(p+".env", "invalid environment variable name %q (use letters, digits and '_', not starting with a digit)", sec.Env)
		}
	}

	if c.written("test") {
		if !c.written("test.run") && s.Preset == "" {
			c.errorf("test", "test needs \"run\" (the command that runs the tests, e.g. \"run: npm test\")")
		}
		c.command("test.run", s.Test.Run)
		for i, r := range s.Test.Reports {
			c.relPath(fmt.Sprintf("test.reports[%d]", i), r, "workdir")
		}
		c.caches("test.caches", s.Test.Caches)
	}
	if c.written("build") {
		c.command("build.run", s.Build.Run)
		for i, o := range s.Build.Outputs {
			p := fmt.Sprintf("build.outputs[%d]", i)
			if clean, ok := c.relPath(p, o, "workdir"); ok && clean == "." {
				c.errorf(p, "an output of \".\" would ship the whole workdir, dev dependencies and all (name what the build produced, e.g. \"dist\")")
			}
		}
		c.caches("build.caches", s.Build.Caches)
	}

	r := s.Release
	if c.written("release.image") {
		c.imageRef("release.image", r.Image)
	}
	c.env("release.env", r.Env)
	for i, port := range r.Expose {
		c.port(fmt.Sprintf("release.expose[%d]", i), port)
	}
	if c.written("release.user") {
		c.nonEmpty("release.user", r.User, "a user name or uid, e.g. \"node\" or \"1000:1000\"")
	}
	for k := range r.Labels {
		if k == "" {
			c.errorf("release.labels", "a label needs a name")
		}
	}
}

var (
	envName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	secretID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

func (c *checker) nonEmpty(p, v, what string) bool {
	if strings.TrimSpace(v) == "" {
		c.errorf(p, "%s is empty (write %s, or remove the key)", describe(p), what)
		return false
	}
	return true
}

func (c *checker) command(p, cmd string) {
	if c.written(p) {
		c.nonEmpty(p, cmd, "the shell command to run")
	}
}

// relPath checks a path that must stay inside base (the context or workdir)
// and returns it cleaned.
func (c *checker) relPath(p, v, base string) (string, bool) {
	if !c.nonEmpty(p, v, "a path relative to "+base) {
		return "", false
	}
	if path.IsAbs(v) {
		c.errorf(p, "%q is absolute; paths here are relative to %s (drop the leading \"/\")", v, base)
		return "", false
	}
	clean := path.Clean(v)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		c.errorf(p, "%q escapes %s (remove the \"..\"; only files inside %s can be used)", v, base, base)
		return "", false
	}
	return clean, true
}

func (c *checker) absPath(p, v string) {
	if !c.nonEmpty(p, v, "an absolute path such as /app") {
		return
	}
	if !path.IsAbs(v) {
		c.errorf(p, "%q must be an absolute path in the image (write \"/%s\")", v, v)
	}
}

func (c *checker) env(p string, env map[string]string) {
	for k := range env {
		if !envName.MatchString(k) {
			c.errorf("key:"+join(p, k), "invalid environment variable name %q (use letters, digits and '_', not starting with a digit)", k)
		}
	}
}

func (c *checker) caches(p string, caches []Cache) {
	for i, cache := range caches {
		cp := fmt.Sprintf("%s[%d]", p, i)
		if cache.Path == "" {
			c.errorf(cp, "a cache needs a \"path\" (the absolute directory to mount it at)")
			continue
		}
		if !path.IsAbs(cache.Path) {
			c.errorf(cp, "cache path %q must be absolute (e.g. /root/.npm)", cache.Path)
		}
		switch cache.Sharing {
		case "", "shared", "locked", "private":
		default:
			c.errorf(cp+".sharing", "unknown sharing %q (use shared, locked or private)", cache.Sharing)
		}
	}
}

func (c *checker) imageRef(p, ref string) {
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		c.errorf(p, "invalid image reference %q: %v (write e.g. \"node:20-bookworm-slim\" or \"registry.example.com/team/node:20\")", ref, err)
	}
}

func (c *checker) port(p, v string) {
	num, proto, _ := strings.Cut(v, "/")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		c.errorf(p, "invalid port %q (write a number from 1 to 65535, optionally with /tcp or /udp)", v)
		return
	}
	switch proto {
	case "", "tcp", "udp", "sctp":
	default:
		c.errorf(p, "invalid protocol %q in port %q (use tcp, udp or sctp)", proto, v)
	}
}
