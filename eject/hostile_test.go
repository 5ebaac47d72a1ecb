package eject

import (
	"errors"
	"path"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moby/buildkit/solver/pb"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// hostile are strings a build context can put in a plan (a package.json
// script or name, a path, a lockfile's text): the Dockerfile's own syntax
// (line breaks and continuations, comments, quotes, variables, flags,
// JSON, heredocs, the CSV of --mount), and what breaks parsers (control
// characters, separators, a byte-order mark, characters that are not
// ASCII).
var hostile = []string{
	"plain", "two words", "line1\nRUN touch /pwned", "a\r\nb", "cr\r", "ends with \\", "back\\slash", "\\\nRUN x",
	"$HOME", "${HOME}", "$$", "${TARGETARCH}", "$${TARGETARCH}", "${A:-x}", "'single'", "\"double\"", "`tick`",
	"# comment", "a #b", "--mount=type=bind,source=/,target=/x", "a,b", "a=b", "x\",target=/etc", "[\"json\"]",
	"<<EOF", "1<<EOF", "a<<EOF", "\ufeffbom", "nbsp\u00a0x", "é ünïcode → 世界", "sep\u2028arator", "\u202eRTL",
	"tab\there", "\x1b[31mred", "del\x7f", "nel\u0085", "ARG A=1", "  leading", "trailing  ", "*", "!x", "-x",
	"a b \\", "\"a\\\"", "'", "\"", "\\", "{{.}}", "%s", "a\\nb",
}

// slot is a place of the plan a hostile string goes, and how to find it
// again in what BuildKit's Dockerfile frontend made of the file.
type slot struct {
	name string
	// set puts s there; the plan must pass plan.Check for the case to
	// count (the converter reads only checked plans).
	set func(p *plan.Plan, s string)
	// writable: eject must write s (else it may refuse it, at its line).
	writable func(s string) bool
	// found: s is in the converted release (its LLB and image config).
	found func(d *dockerfile, v *llbValues, s string) bool
}

// base is a plan that uses every slot, benignly.
func base() *plan.Plan {
	o := plan.Origin{Kind: plan.Preset, Preset: "fake", From: "a context file"}
	v := func(s string) plan.Value[string] { return plan.Value[string]{Value: s, Origin: o} }
	p := &plan.Plan{File: "Stagefile", Span: spec.Range{Start: spec.Pos{Line: 1, Column: 1}, EndLine: 1}}
	p.Preset, p.Image, p.Workdir, p.App = v("fake"), v("node:20"), v("/app"), v(".")
	p.Args = []plan.Arg{{Name: "A", Value: "a", Default: "a", Description: "an arg", Origin: o}}
	p.Env = []plan.Var{{Name: "E", Value: "e", Origin: o}}
	p.Source.Exclude = []plan.Value[string]{v("**/Stagefile")}
	d := &p.Dependencies
	d.Manifests = []plan.Value[string]{v("package.json")}
	d.Config = []plan.Value[string]{v(".npmrc")}
	d.Tools = plan.Shell("tools", o)
	d.Production = plan.Shell("production $A", o)
	d.Production.Args = []string{"A"}
	d.Development = plan.Shell("development", o)
	d.Caches = []plan.Cache{{Path: v("/cache"), ID: v("cache-id"), Sharing: v("locked"), Origin: o}}
	d.Unshipped = []plan.Value[string]{v("lock")}
	p.Secrets = []plan.Secret{{ID: v("token"), Target: v("/run/token"), Env: v("TOKEN"), Required: true, Origin: o}}
	p.Test = plan.Test{Declared: true, Run: plan.Shell("test", o), Reports: []plan.Value[string]{v("junit.xml")}, Platforms: v("all")}
	p.Build = plan.Build{Run: plan.Shell("build", o), Outputs: []plan.Value[string]{v("dist")}, Platforms: v("all")}
	r := &p.Release
	r.Image = v("node:20-slim")
	r.Env = []plan.Var{{Name: "R", Value: "r", Origin: o}}
	r.Labels = []plan.Var{{Name: "l", Value: "v", Origin: o}}
	r.User = v("node")
	r.Entrypoint = plan.Value[[]string]{Value: []string{"node"}, Origin: o}
	r.Cmd = plan.Value[[]string]{Value: []string{"server.js"}, Origin: o}
	r.Healthcheck = &plan.Healthcheck{Test: plan.Value[[]string]{Value: []string{"node", "health.js"}, Origin: o}, Interval: v("1500ms"), Origin: o}
	r.Writable = []plan.Value[string]{v("data")}
	p.Source.Scope = v(plan.ScopeContext)
	return p
}

func flagSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
func oneLine(s string) bool  { return !strings.Contains(s, "\n") }
func pathSafe(s string) bool { return oneLine(s) && !strings.Contains(s, `\`) }
func always(string) bool     { return true }

var slots = []slot{
	{"env value", func(p *plan.Plan, s string) { p.Env[0].Value = s }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool { return slices.Contains(v.env, "E="+s) }},
	{"env template", func(p *plan.Plan, s string) { p.Env[0].Value, p.Env[0].Template = "x", s+"${A}" }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool {
			want, _ := plan.Expand(s+"${A}", func(n string) (string, bool) {
				v, ok := map[string]string{"A": "a", "TARGETARCH": "amd64"}[n]
				return v, ok
			})
			return slices.Contains(v.env, "E="+want)
		}},
	{"release env value", func(p *plan.Plan, s string) { p.Release.Env[0].Value = s }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(d.res.Image.Config.Env, "R="+s)
		}},
	{"label name", func(p *plan.Plan, s string) { p.Release.Labels[0].Name = s }, func(s string) bool { return oneLine(s) && !strings.Contains(s, "=") },
		func(d *dockerfile, v *llbValues, s string) bool { return d.res.Image.Config.Labels[s] == "v" }},
	{"label value", func(p *plan.Plan, s string) { p.Release.Labels[0].Value = s }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool { return d.res.Image.Config.Labels["l"] == s }},
	{"arg default", func(p *plan.Plan, s string) { p.Args[0].Default = s }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool { return slices.Contains(v.env, "A="+s) }},
	{"arg description", func(p *plan.Plan, s string) { p.Args[0].Description = s }, always,
		func(d *dockerfile, v *llbValues, s string) bool { return true }},
	{"tools", func(p *plan.Plan, s string) { p.Dependencies.Tools.Shell = s }, always, shellStep},
	{"production", func(p *plan.Plan, s string) { p.Dependencies.Production.Shell = s }, always, shellStep},
	{"development argv", func(p *plan.Plan, s string) {
		p.Dependencies.Development = plan.Argv(plan.Origin{}, []string{"echo", s})
	}, always,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.ContainsFunc(v.args, func(a []string) bool {
				return len(a) == 3 && a[2] == plan.Argv(plan.Origin{}, []string{"echo", s}).Script()
			})
		}},
	{"test", func(p *plan.Plan, s string) { p.Test.Run.Shell = s }, always,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.ContainsFunc(v.args, func(a []string) bool { return len(a) == 4 && a[3] == s })
		}},
	{"build", func(p *plan.Plan, s string) { p.Build.Run.Shell = s }, always, shellStep},
	{"cache path", func(p *plan.Plan, s string) { p.Dependencies.Caches[0].Path.Value = "/cache/" + s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.mounts, path.Clean("/cache/"+s))
		}},
	{"cache id", func(p *plan.Plan, s string) { p.Dependencies.Caches[0].ID.Value = s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			if s == "" {
				s = "/cache" // no id: the path
			}
			return slices.Contains(v.cacheIDs, "/"+s)
		}},
	{"config path", func(p *plan.Plan, s string) { p.Dependencies.Config[0].Value = "cfg/" + s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.selectors, path.Join("/", path.Clean("cfg/"+s))) && slices.Contains(v.mounts, path.Join("/app", path.Clean("cfg/"+s)))
		}},
	{"secret target", func(p *plan.Plan, s string) { p.Secrets[0].Target.Value = "/run/" + s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.mounts, path.Clean("/run/"+s))
		}},
	{"manifest", func(p *plan.Plan, s string) { p.Dependencies.Manifests[0].Value = "m/" + s }, pathSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.includes, path.Clean("m/"+s))
		}},
	{"source.exclude", func(p *plan.Plan, s string) { p.Source.Exclude[0].Value = s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool { return slices.Contains(v.excludes, s) }},
	{"source.include", func(p *plan.Plan, s string) {
		p.Source.Scope.Value = plan.ScopeWorkspace
		p.Source.Include = []plan.Value[string]{{Value: "i/" + s}}
	}, pathSafe, func(d *dockerfile, v *llbValues, s string) bool {
		return slices.Contains(v.includes, path.Clean("i/"+s))
	}},
	{"unshipped", func(p *plan.Plan, s string) { p.Dependencies.Unshipped[0].Value = s }, flagSafe,
		func(d *dockerfile, v *llbValues, s string) bool { return slices.Contains(v.excludes, s) }},
	{"output", func(p *plan.Plan, s string) { p.Build.Outputs[0].Value = "o/" + s }, pathSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.includes, path.Clean("o/"+s))
		}},
	{"report", func(p *plan.Plan, s string) { p.Test.Reports[0].Value = "r/" + s }, pathSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.includes, path.Clean("r/"+s))
		}},
	// workdir holds the config files' mount points, which are flags
	{"workdir", func(p *plan.Plan, s string) { p.Workdir.Value = path.Clean("/w/" + s) }, func(s string) bool { return pathSafe(s) && flagSafe(s) },
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.cwds, path.Clean("/w/"+s)) && d.res.Image.Config.WorkingDir == path.Clean("/w/"+s)
		}},
	{"app", func(p *plan.Plan, s string) { p.App.Value = path.Clean("a/" + s) }, pathSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.cwds, path.Join("/app", path.Clean("a/"+s))) && d.res.Image.Config.WorkingDir == path.Join("/app", path.Clean("a/"+s))
		}},
	{"writable", func(p *plan.Plan, s string) { p.Release.Writable[0].Value = "d/" + s }, pathSafe,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Contains(v.mkdirs, path.Join("/app", "d/"+s))
		}},
	{"user", func(p *plan.Plan, s string) { p.Release.User.Value = s }, oneLine,
		func(d *dockerfile, v *llbValues, s string) bool { return d.res.Image.Config.User == s }},
	{"entrypoint", func(p *plan.Plan, s string) { p.Release.Entrypoint.Value = []string{s, s} }, always,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Equal(d.res.Image.Config.Entrypoint, []string{s, s})
		}},
	{"cmd", func(p *plan.Plan, s string) { p.Release.Cmd.Value = []string{s} }, always,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Equal(d.res.Image.Config.Cmd, []string{s})
		}},
	{"healthcheck", func(p *plan.Plan, s string) { p.Release.Healthcheck.Test.Value = []string{s} }, always,
		func(d *dockerfile, v *llbValues, s string) bool {
			return slices.Equal(d.res.Image.Config.Healthcheck.Test, []string{"CMD", s})
		}},
	{"origin", func(p *plan.Plan, s string) { p.Dependencies.Tools.Origin.From = s }, always,
		func(d *dockerfile, v *llbValues, s string) bool { return true }},
	{"file", func(p *plan.Plan, s string) { p.File = s }, always,
		func(d *dockerfile, v *llbValues, s string) bool { return true }},
}

func shellStep(d *dockerfile, v *llbValues, s string) bool {
	return slices.ContainsFunc(v.args, func(a []string) bool { return slices.Equal(a, []string{"/bin/sh", "-c", s}) })
}

// llbValues are the strings of a definition's ops.
type llbValues struct {
	args                                  [][]string
	env, cwds, mounts, cacheIDs           []string
	selectors, includes, excludes, mkdirs []string
}

func values(t testing.TB, def *pb.Definition) *llbValues {
	v := &llbValues{}
	for _, dt := range def.Def {
		var op pb.Op
		assert.NilError(t, op.UnmarshalVT(dt))
		switch o := op.Op.(type) {
		case *pb.Op_Exec:
			v.args = append(v.args, o.Exec.Meta.Args)
			v.env = append(v.env, o.Exec.Meta.Env...)
			v.cwds = append(v.cwds, o.Exec.Meta.Cwd)
			for _, m := range o.Exec.Mounts {
				v.mounts = append(v.mounts, m.Dest)
				v.selectors = append(v.selectors, m.Selector)
				if m.CacheOpt != nil {
					v.cacheIDs = append(v.cacheIDs, m.CacheOpt.ID)
				}
			}
		case *pb.Op_File:
			for _, a := range o.File.Actions {
				switch fa := a.Action.(type) {
				case *pb.FileAction_Copy:
					v.includes = append(v.includes, fa.Copy.IncludePatterns...)
					v.excludes = append(v.excludes, fa.Copy.ExcludePatterns...)
				case *pb.FileAction_Mkdir:
					v.mkdirs = append(v.mkdirs, fa.Mkdir.Path)
				}
			}
		}
	}
	return v
}

// roundTrip puts s in slot sl, ejects, and checks the Dockerfile: it
// parses to the same instructions as the benign plan's (nothing
// injected), and BuildKit's Dockerfile frontend gives back s where the
// plan has it. A refusal must be one eject means, at the value's line,
// for a string the slot cannot carry. ok is false when the plan itself
// is one plan.Check refuses.
func roundTrip(t *testing.T, sl slot, s string, maxLine int) (ok bool) {
	t.Helper()
	opt := Options{Platform: amd64, BuildPlatform: amd64, MaxLine: maxLine}
	p := base()
	sl.set(p, s)
	if err := plan.Check(p, true, preset.Providers.Ecosystems()); err != nil {
		return false
	}
	benign := base()
	sl.set(benign, "x")
	want, err := Write(benign, opt)
	assert.NilError(t, err)

	res, err := Write(p, opt)
	if err != nil {
		if strings.Contains(err.Error(), "but the app runs as root") {
			return true // the converter refuses it too (llb.CheckWritableOwner)
		}
		var list spec.Errors
		assert.Assert(t, errors.As(err, &list), "%s %q: %v", sl.name, s, err)
		for _, e := range list {
			assert.Check(t, strings.Contains(e.Msg, "eject cannot write it") && e.File == p.File, "%s %q: %v", sl.name, s, e)
		}
		valid := utf8.ValidString(s) && !strings.ContainsRune(s, 0)
		assert.Check(t, !(valid && sl.writable(s)), "%s %q refused: %v", sl.name, s, err)
		return true
	}
	got, wantShape := shape(t, res.Dockerfile), shape(t, want.Dockerfile)
	if sl.name == "env template" { // ${TARGETARCH} adds an ARG
		got = slices.DeleteFunc(got, func(s string) bool { return s == "dependencies: ARG" })
		wantShape = slices.DeleteFunc(wantShape, func(s string) bool { return s == "dependencies: ARG" })
	}
	assert.Check(t, is.DeepEqual(got, wantShape), "%s %q:\n%s", sl.name, s, res.Dockerfile)
	d, err := convertDockerfile(t, res.Dockerfile, llb.TargetRelease, nil)
	assert.NilError(t, err, "%s %q:\n%s", sl.name, s, res.Dockerfile)
	assert.Check(t, sl.found(d, values(t, d.def), s), "%s %q not found as written:\n%s", sl.name, s, res.Dockerfile)
	return true
}

// TestHostileValues: every hostile string in every slot parses back, or
// is refused at its line for a reason eject means; with long lines cut
// too.
func TestHostileValues(t *testing.T) {
	for _, sl := range slots {
		t.Run(sl.name, func(t *testing.T) {
			t.Parallel()
			checked := 0
			for _, s := range hostile {
				if roundTrip(t, sl, s, 0) && roundTrip(t, sl, s, 24) {
					checked++
				}
			}
			assert.Check(t, checked > 0, "%s: every hostile string was refused by plan.Check", sl.name)
		})
	}
}

// TestLongLines: a script far longer than the 64 KiB BuildKit's parser
// reads in one line runs as written.
func TestLongLines(t *testing.T) {
	script := strings.Repeat("echo 'a \\ b' \"$x\" # c\n", 20000)
	roundTrip(t, slots[slices.IndexFunc(slots, func(s slot) bool { return s.name == "build" })], script, 0)
	p := base()
	p.Build.Run.Shell = script
	res, err := Write(p, Options{})
	assert.NilError(t, err)
	for _, l := range strings.Split(string(res.Dockerfile), "\n") {
		assert.Assert(t, len(l) <= DefaultMaxLine+1, "a line of %d bytes", len(l))
	}
}

// FuzzEject: whatever string a slot gets, the ejected file parses back to
// it or eject refuses it at its line (bounded: 512 bytes a string).
func FuzzEject(f *testing.F) {
	for i, s := range hostile {
		f.Add(uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, s string) {
		if len(s) > 512 {
			return
		}
		roundTrip(t, slots[int(which)%len(slots)], s, 0)
		roundTrip(t, slots[int(which)%len(slots)], s, 24)
	})
}
