package plan

import (
	"path"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/spec"
)

// DefaultWorkdir is where the app lives in every stage unless workdir says otherwise.
const DefaultWorkdir = "/app"

// FromSpec is the plan of what the Stagefile says, before any preset:
// its values with their places, and the defaults a preset may build on
// (workdir, app). Finish adds the rest of the defaults.
func FromSpec(s *spec.Spec) *Plan {
	p := &Plan{File: s.File, Span: s.At}
	// where a value nobody wrote is reported: the preset line, else the
	// top of the file
	top := Origin{Kind: Default, At: spec.Range{Start: spec.Pos{Line: 1, Column: 1}, EndLine: 1}}
	if s.Preset.Written() {
		top.At = s.Preset.At
	}
	str := written
	strs := func(l spec.List[spec.String]) []Value[string] {
		var out []Value[string]
		for _, v := range l.Items {
			out = append(out, str(v))
		}
		return out
	}
	cmd := func(v spec.String) *Command {
		if !v.Written() {
			return nil
		}
		return Shell(v.Value, Written(v.Node))
	}
	at := func(n spec.Node) spec.Range {
		if n.Written() {
			return n.Span()
		}
		return top.At
	}

	p.Preset = str(s.Preset)
	p.Image = str(s.Image)
	p.Workdir = str(s.Workdir)
	if !p.Workdir.Set() {
		p.Workdir = Value[string]{Value: DefaultWorkdir, Origin: top}
	}
	p.App = str(s.App)
	if !p.App.Set() {
		p.App = Value[string]{Value: ".", Origin: top}
	}
	for _, a := range s.Args.Items {
		p.Args = append(p.Args, Arg{Name: a.Name.Value, Default: a.Default.Value, Description: a.Description.Value, Origin: Written(a.Name.Node)})
	}
	p.Env = vars(s.Env)
	p.Source = Source{At: at(s.Source.Node), Exclude: strs(s.Source.Exclude), Include: strs(s.Source.Include), Scope: written(s.Source.Scope)}

	d := s.Dependencies
	p.Dependencies = Dependencies{
		At:          at(d.Node),
		Manifests:   strs(d.Manifests),
		Config:      strs(d.Config),
		Tools:       cmd(d.Tools),
		Production:  cmd(d.Production),
		Development: cmd(d.Development),
		Caches:      caches(d.Caches),
	}
	if d.Fetch.Written() {
		p.Dependencies.FetchAsked = Value[bool]{Value: d.Fetch.Value, Origin: Written(d.Fetch.Node)}
	}
	for _, sec := range s.Secrets.Items {
		p.Secrets = append(p.Secrets, Secret{
			ID: str(sec.ID), Target: str(sec.Target), Env: str(sec.Env),
			Required: sec.Required.Value, Steps: strs(sec.Steps), Origin: Written(sec.Node),
		})
	}
	p.Test = Test{At: at(s.Test.Node), Declared: s.Test.Written() && !s.Test.None.Written(), None: written(s.Test.None), Run: cmd(s.Test.Run), Reports: strs(s.Test.Reports), Caches: caches(s.Test.Caches), Platforms: written(s.Test.Platforms)}
	outputs := strs(s.Build.Outputs)
	if s.Build.Outputs.Written() && outputs == nil {
		// written empty: the release takes nothing from the build, on
		// purpose (nil is "not written", which presets may fill)
		outputs = []Value[string]{}
	}
	p.Build = Build{At: at(s.Build.Node), Workspace: cmd(s.Build.Workspace), Run: cmd(s.Build.Run), Outputs: outputs, Caches: caches(s.Build.Caches), Platforms: written(s.Build.Platforms)}

	r := s.Release
	p.Release = Release{
		At:     at(r.Node),
		Image:  str(r.Image),
		Env:    vars(r.Env),
		Expose: strs(r.Expose),
		User:   str(r.User),
		Labels: vars(r.Labels),
	}
	if r.Entrypoint.Written() {
		p.Release.Entrypoint = Value[[]string]{Value: nonNil(spec.Strings(r.Entrypoint)), Origin: Written(r.Entrypoint.Node)}
	}
	if r.Cmd.Written() {
		p.Release.Cmd = Value[[]string]{Value: nonNil(spec.Strings(r.Cmd)), Origin: Written(r.Cmd.Node)}
	}
	if r.Dependencies.Written() {
		p.Release.NoDependencies = Value[bool]{Value: !r.Dependencies.Value, Origin: Written(r.Dependencies.Node)}
	}
	p.Release.StopSignal = written(r.StopSignal)
	p.Release.Writable = strs(r.Writable)
	p.Release.Check = StartCheck{Enabled: boolValue(r.Check.Enabled), Env: vars(r.Check.Env), Wait: written(r.Check.Wait)}
	if h := r.Healthcheck; h.Written() {
		p.Release.Healthcheck = healthcheck(h)
	}
	return p
}

func healthcheck(h spec.Healthcheck) *Healthcheck {
	hc := &Healthcheck{
		Interval: written(h.Interval), Timeout: written(h.Timeout),
		StartPeriod: written(h.StartPeriod), StartInterval: written(h.StartInterval),
		Origin: Written(h.Node),
	}
	if h.Test.Written() {
		hc.Test = Value[[]string]{Value: nonNil(spec.Strings(h.Test)), Origin: Written(h.Test.Node)}
	}
	if h.Retries.Written() {
		hc.Retries = Value[int]{Value: int(h.Retries.Value), Origin: Written(h.Retries.Node)}
	}
	return hc
}

// Finish fills the defaults that depend on what a preset filled, and
// cleans paths. It is run once, after the preset.
func (p *Plan) Finish() {
	p.Workdir.Value = path.Clean(p.Workdir.Value)
	p.App.Value = path.Clean(p.App.Value)
	if !p.Release.Image.Set() && p.Image.Set() {
		p.Release.Image = Value[string]{Value: p.Image.Value, Origin: Origin{Kind: Default, At: p.Image.Origin.At, From: "the build image"}}
	}
	for i := range p.Secrets {
		sec := &p.Secrets[i]
		if !sec.Target.Set() && !sec.Env.Set() && sec.ID.Set() {
			sec.Target = Value[string]{Value: sec.ID.Value, Origin: Origin{Kind: Default, At: sec.ID.Origin.At, From: "the secret's id, in workdir"}}
		}
	}
	if c := &p.Release.Check; !c.Enabled.Set() {
		// a preset that tells how the app starts makes the check worth
		// running: it is what a wrong guess would fail
		starts := len(p.Release.Entrypoint.Value) > 0 || len(p.Release.Cmd.Value) > 0
		switch {
		case p.Preset.Set() && starts:
			c.Enabled = Value[bool]{Value: true, Origin: Origin{Kind: Default, At: p.Release.At, From: "the release is started in the build before it ships: its start command is set"}}
		default:
			c.Enabled = Value[bool]{Value: false, Origin: Origin{Kind: Default, At: p.Release.At, From: "no preset tells how the app starts (write release.check: true to start it in the build)"}}
		}
	}
	if c := &p.Release.Check; c.Enabled.Value && !c.Wait.Set() {
		c.Wait = Value[string]{Value: DefaultCheckWait, Origin: Origin{Kind: Default, At: p.Release.At}}
	}
	if !p.Source.Scope.Set() {
		p.Source.Scope = Value[string]{Value: ScopeContext, Origin: Origin{Kind: Default, At: p.Source.At, From: "no preset scoped it to a workspace app"}}
	}
	for _, v := range []*Value[string]{&p.Test.Platforms, &p.Build.Platforms} {
		if !v.Set() {
			*v = Value[string]{Value: AllPlatforms, Origin: Origin{Kind: Default}}
		}
	}
	// the Stagefile defines the build; it is not the app's source, and
	// editing it (a comment, release.env) must not rerun the tests. Only
	// names that say so: another name may be an app file elsewhere.
	if base := path.Base(p.File); strings.HasPrefix(base, "Stagefile") {
		o := Origin{Kind: Default, From: "the build's definition, not the app's source"}
		p.ExcludeFromSource("**/"+base, o)
		p.ExcludeFromSource("**/"+base+".dockerignore", o)
	}
	// git's own folder changes with every commit, checkout and fetch: as
	// source it would rerun the tests after a commit that changed no file.
	// A build that reads it (git describe) writes "!.git" in source.exclude.
	// the settings files the installs read often hold a
	// registry token: they are mounted for the steps that read them, and
	// never copied into a layer
	for _, c := range p.Dependencies.Config {
		if name := path.Clean(c.Value); !p.sourceKeeps(name) {
			p.ExcludeFromSource(name, Origin{Kind: Default, At: c.Origin.At, From: "dependencies.config: mounted for the steps that read it, never copied into a layer (it may hold a token)"})
		}
	}
	if !p.sourceKeeps(".git") {
		p.ExcludeFromSource("**/.git", Origin{Kind: Default, From: "git's own files change with every commit, not the app's source"})
	}
	sortVars(p.Env)
	sortVars(p.Release.Env)
	sortVars(p.Release.Labels)
}

// SecretTarget is where a secret file is mounted: relative targets are in workdir.
func (p *Plan) SecretTarget(sec Secret) string {
	t := sec.Target.Value
	if t == "" || path.IsAbs(t) {
		return path.Clean(t)
	}
	return path.Join(p.Workdir.Value, t)
}

// AppDir is where test and build run and the release starts: the app's
// folder in workdir.
func (p *Plan) AppDir() string { return path.Join(p.Workdir.Value, p.App.Value) }

// boolValue is a flag as the Stagefile has it; unset when not written.
func boolValue(v spec.Bool) Value[bool] {
	if !v.Written() {
		return Value[bool]{}
	}
	return Value[bool]{Value: v.Value, Origin: Written(v.Node)}
}

// written is a value as the Stagefile has it; unset when not written.
func written(v spec.String) Value[string] {
	if !v.Written() {
		return Value[string]{}
	}
	return Value[string]{Value: v.Value, Origin: Written(v.Node)}
}

func vars(m spec.Map) []Var {
	var out []Var
	for _, e := range m.Entries {
		out = append(out, Var{Name: e.Key.Value, Value: e.Value.Value, Origin: Origin{Kind: Stagefile, At: e.Key.At}})
	}
	return out
}

func caches(l spec.List[spec.Cache]) []Cache {
	var out []Cache
	for _, c := range l.Items {
		out = append(out, Cache{Path: written(c.Path), ID: written(c.ID), Sharing: written(c.Sharing), Origin: Written(c.Node)})
	}
	return out
}

func sortVars(vs []Var) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SetVar sets name in vars unless it is already set.
func SetVar(vars *[]Var, name, value string, o Origin) {
	if _, ok := Lookup(*vars, name); ok {
		return
	}
	*vars = append(*vars, Var{Name: name, Value: value, Origin: o})
}

// sourceKeeps reports whether source.exclude takes name back with a "!"
// pattern.
func (p *Plan) sourceKeeps(name string) bool {
	for _, e := range p.Source.Exclude {
		if pat, ok := strings.CutPrefix(e.Value, "!"); ok {
			pat = strings.TrimPrefix(strings.TrimSuffix(pat, "/"), "**/")
			if pat == name || strings.HasPrefix(pat, name+"/") {
				return true
			}
		}
	}
	return false
}
