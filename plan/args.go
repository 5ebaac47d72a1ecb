package plan

import (
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/spec"
)

// PlatformArgs are BuildKit's predefined args: usable without declaring,
// and different for each platform of a multi-platform build, so they are
// expanded at conversion, per platform.
var PlatformArgs = []string{"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
	"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"}

// ProxyArgs reach every step without being declared and without moving
// any cache key, as with Dockerfiles.
var ProxyArgs = []string{"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
	"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"}

// reservedArgs are build args someone other than the Stagefile reads.
func reservedArg(name string) bool {
	switch {
	case strings.HasPrefix(name, "BUILDKIT_"), name == "SOURCE_DATE_EPOCH", name == "STAGEFILE_SKIP_TESTS":
		return true
	}
	for _, l := range [][]string{PlatformArgs, ProxyArgs} {
		for _, n := range l {
			if n == name {
				return true
			}
		}
	}
	return false
}

// Rules about args.
var (
	UnusedBuildArg = NewRule("UnusedBuildArg", "A --build-arg was passed that the Stagefile does not declare.")
	SecretInArg    = NewRule("SecretInArg", "A build arg or environment variable is named like a secret.")
)

var argRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Expand replaces ${NAME} in s by lookup(NAME); "$$" is a literal "$".
// A name lookup does not know is returned as missing, the text kept.
func Expand(s string, lookup func(string) (string, bool)) (string, []string) {
	var missing []string
	out := argRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		name := m[2 : len(m)-1]
		if v, ok := lookup(name); ok {
			return v
		}
		missing = append(missing, name)
		return m
	})
	return out, missing
}

// Mentions reports whether a shell script reads variable name ($NAME or
// ${NAME...}).
func Mentions(script, name string) bool {
	for i := 0; ; {
		j := strings.Index(script[i:], "$")
		if j < 0 {
			return false
		}
		rest := script[i+j+1:]
		if strings.HasPrefix(rest, "{") {
			rest = rest[1:]
		}
		if strings.HasPrefix(rest, name) {
			after := rest[len(name):]
			if after == "" || !isNameByte(after[0]) {
				return true
			}
		}
		i += j + 1
	}
}

func isNameByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// applyArgs gives each declared arg its value (the client's, else its
// default), expands ${NAME} in env, release.env and release.labels, and
// records which args each command reads. Platform args stay for the
// converter; an unknown ${NAME} is an error at its value.
func applyArgs(p *Plan, given map[string]string) ([]*Warning, spec.Errors) {
	declared := map[string]*Arg{}
	for i := range p.Args {
		a := &p.Args[i]
		a.Value = a.Default
		if v, ok := given[a.Name]; ok {
			a.Value, a.Given = v, true
		}
		declared[a.Name] = a
	}
	var ws []*Warning
	var names []string
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if declared[name] == nil && !reservedArg(name) {
			ws = append(ws, Warn(p, UnusedBuildArg, Origin{At: p.Span}, "build arg %s was passed but the Stagefile declares no such arg, so nothing reads it (declare it under args, or drop --build-arg %s)", name, name))
		}
	}

	var errs spec.Errors
	lookup := func(name string) (string, bool) {
		if a := declared[name]; a != nil {
			return a.Value, true
		}
		for _, n := range PlatformArgs {
			if n == name {
				return "${" + name + "}", true // expanded per platform
			}
		}
		return "", false
	}
	expand := func(field string, vars []Var) {
		for i := range vars {
			if strings.Contains(vars[i].Value, "$") && vars[i].Template == "" {
				vars[i].Template = vars[i].Value
			}
			v, missing := Expand(vars[i].Value, lookup)
			for _, m := range missing {
				errs = append(errs, spec.Errorf(p.File, vars[i].Origin.At, "%s.%s reads ${%s}, which is not a declared arg (declare it under args, or write $${%s} for the text)", field, vars[i].Name, m, m))
			}
			vars[i].Value = v
		}
	}
	expand("env", p.Env)
	expand("release.env", p.Release.Env)
	expand("release.labels", p.Release.Labels)

	for _, c := range []*Command{p.Dependencies.Tools, p.Dependencies.Production, p.Dependencies.Development, p.Test.Run, p.Build.Run} {
		if c == nil {
			continue
		}
		script := c.Script()
		for _, a := range p.Args {
			if Mentions(script, a.Name) {
				c.Args = append(c.Args, a.Name)
			}
		}
		for _, n := range PlatformArgs {
			if Mentions(script, n) {
				c.Args = append(c.Args, n)
			}
		}
	}
	return ws, errs
}

// secretLike: names BuildKit's SecretsUsedInArgOrEnv rule also flags.
var secretLike = regexp.MustCompile(`(?i)(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASS|APIKEY|API_KEY|CREDENTIALS?|PRIVATE_?KEY|AUTH)($|_)`)

func lintSecrets(p *Plan) []*Warning {
	var ws []*Warning
	for _, a := range p.Args {
		if secretLike.MatchString(a.Name) {
			ws = append(ws, Warn(p, SecretInArg, a.Origin, "build arg %s looks like a secret: build args are recorded in the build's provenance and can reach the image (declare it under secrets instead)", a.Name))
		}
	}
	for i, vars := range [][]Var{p.Env, p.Release.Env} {
		where := "env is in every build step's definition and in the image config of the dependencies, development, test and build targets"
		if i == 1 {
			where = "release.env is in the release's image config, which anyone who pulls the image reads"
		}
		for _, v := range vars {
			// SECRET_KEY_FILE=/run/secrets/key names where a secret is, the
			// *_FILE convention of official images: a path, not the secret
			file := strings.HasSuffix(strings.ToUpper(v.Name), "_FILE") && strings.HasPrefix(v.Value, "/")
			if secretLike.MatchString(v.Name) && v.Value != "" && !strings.HasPrefix(v.Value, "${") && !file {
				ws = append(ws, Warn(p, SecretInArg, v.Origin, "%s looks like a secret written into the Stagefile, and %s (pass it as a secret for the steps that read it, e.g. secrets: [{id: %s, env: %s, steps: [test]}], with --secret id=%s; a placeholder the release check needs goes under release.check.env)",
					v.Name, where, strings.ToLower(v.Name), v.Name, strings.ToLower(v.Name)))
			}
		}
	}
	return ws
}
