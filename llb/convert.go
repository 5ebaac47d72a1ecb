// Package llb turns a resolved Plan into BuildKit LLB. It is pure: no
// daemon, no I/O. The frontend resolves base images and the build context
// and hands them in; the same inputs always marshal to the same bytes.
// It reads nothing but the Plan: what runs is what was checked.
package llb

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/internal/startcheck"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// Target names, in pipeline order. Release is the default.
const (
	TargetDependencies = "dependencies"
	TargetDevelopment  = "development"
	TargetTest         = "test"
	TargetTestReports  = "test-reports"
	TargetBuild        = "build"
	TargetRelease      = "release"
)

// Targets lists every target with what it holds, for --target and
// `docker buildx build --call targets`.
var Targets = []struct{ Name, Description string }{
	{TargetDependencies, "build image + manifests + production dependencies"},
	{TargetDevelopment, "production + development dependencies + source: what test and build run on"},
	{TargetTest, "the tree after the tests ran, or only test.reports when declared"},
	{TargetTestReports, "test.reports and the tests' exit-code, even when they fail (for CI; every other target still fails)"},
	{TargetBuild, "the tree after the build ran"},
	{TargetRelease, "runtime image + production dependencies + build outputs"},
}

// Image is a resolved base image.
type Image struct {
	State  bk.State
	Config *dockerspec.DockerOCIImage // nil when unknown (e.g. a local named context)
}

// ContextFunc returns the build context. include, when set, restricts it to
// those patterns; exclude leaves patterns out (on top of .dockerignore).
// The frontend gives a local source filtered at transfer; tests give states
// built from files so content changes show in digests.
type ContextFunc func(include, exclude []string) (bk.State, error)

// Options are the inputs besides the spec.
type Options struct {
	// Platform the images are built for.
	Platform ocispecs.Platform
	// Images holds every image the spec names, by the reference as written.
	Images map[string]Image
	// Context gives the build context.
	Context ContextFunc
	// SourceMap, when set, attaches Stagefile locations to every step so
	// BuildKit errors point at the spec.
	SourceMap *bk.SourceMap
	// CacheNS prefixes cache mount ids (BUILDKIT_CACHE_MOUNT_NS).
	CacheNS string
	// Run options added to every step: network mode, extra hosts, ulimits...
	Run []bk.RunOption
	// NoCache reports whether a target's steps must not use the cache (--no-cache).
	NoCache func(target string) bool
	// Labels are added to every image config (--opt label:k=v).
	Labels map[string]string
	// Caps are the daemon's LLB capabilities; nil means all are supported.
	Caps *Caps
	// SkipTests leaves the test step out of every target but test
	// (STAGEFILE_SKIP_TESTS): the result is untested.
	SkipTests bool
	// Epoch, when set (SOURCE_DATE_EPOCH), is the release config's
	// creation time and its history's.
	Epoch *time.Time
	// BuildPlatform is where steps run; default: Platform. With Platform it
	// gives ${TARGETARCH}, ${BUILDPLATFORM} and the other predefined args.
	BuildPlatform *ocispecs.Platform
	// Checker, when set, is the frontend's image (its static binary in
	// /bin), which runs release.check inside the release; without it
	// there is no check (the CLI's LLB, in-process builds).
	Checker *bk.State

	// set by Build.Convert for a platform of a multi-platform build
	multi multiPlatform
}

// multiPlatform is what one platform of a multi-platform build takes
// from the build platform (see Build).
type multiPlatform struct {
	// named: steps are named with their platform, as one progress stream
	// shows every platform's.
	named bool
	// install, when set, runs the manifests copy and the installs on the
	// build platform, natively, and copies what they left in workdir onto
	// this platform's build image: no emulated install.
	install *Install
	// emulated, when set, says why this platform's installs run emulated.
	emulated string
	// native, when set, is the build image on the build platform, for
	// steps whose result is the same on every platform (the downloads of
	// dependencies.fetch): they run natively, once for all platforms.
	native *Image
	// tests, when set, is the build platform's test gate (test.platforms:
	// build): the targets require it instead of running the tests again.
	tests *bk.State
	// built, when set, is the build platform's build step
	// (build.platforms: build): the release takes its outputs.
	built *bk.State
}

// Install is where a cross install runs.
type Install struct {
	Platform ocispecs.Platform
	// Image is the build image resolved for Platform.
	Image Image
	// Env tells the package manager the target platform.
	Env []plan.Var
	// Why the install may run there, for the progress stream.
	Why string
}

// Caps are the optional BuildKit features the graph can use.
type Caps struct {
	// Merge: the release is a merge of independent layers (BuildKit ≥ 0.10),
	// so a source edit never re-copies the dependency layer.
	Merge bool
	// CopyPatterns: copies can filter by include/exclude patterns (≥ 0.12).
	CopyPatterns bool
	// RequiredPaths: a filtered copy can insist its paths exist.
	RequiredPaths bool
	// Passthrough: a state can require others (llb.State.Requires, ≥ 0.34),
	// so the tests gate every target inside the graph itself.
	Passthrough bool
}

// Target is one buildable result and the image config to export it with.
type Target struct {
	Name  string
	State bk.State
	// Image is the config to export; BaseImage is the config it started from.
	Image     *dockerspec.DockerOCIImage
	BaseImage *dockerspec.DockerOCIImage
}

// Graph is every target of a plan. Every target but test-reports
// requires the tests in the graph itself, on every daemon, so whoever
// solves a target (the frontend, `stagefile llb | buildctl build`) gets
// the gate: a passthrough op where the daemon has them, else a no-op
// step on the tested tree with the target mounted (see require).
type Graph struct {
	Targets map[string]*Target
	// Tests is the tests' gate: nil when there is no test step, or tests
	// are skipped.
	Tests *bk.State
	// Built is the build step's result, ungated, for other platforms
	// (build.platforms: build).
	Built bk.State
	// Installed is the development install, before the source is
	// copied: where dependencies.crossInstall's check runs.
	Installed bk.State
	// Base is the build image as every step starts from it.
	Base bk.State
	// Assembled is the release image before its gates: what the start
	// check runs, and where the frontend looks for the start file when
	// the check fails.
	Assembled bk.State
}

// converter carries the plan and options through one conversion.
type converter struct {
	s    *plan.Plan
	opt  Options
	caps Caps
}

// AllCaps is a current daemon's: everything the graph can use.
var AllCaps = Caps{Merge: true, CopyPatterns: true, RequiredPaths: true, Passthrough: true}

// Convert builds the LLB graph of every target.
func Convert(p *plan.Plan, opt Options) (*Graph, error) {
	c := &converter{s: p, opt: opt, caps: AllCaps}
	if opt.Caps != nil {
		c.caps = *opt.Caps
	}
	if opt.Context == nil {
		return nil, errors.New("no build context given")
	}
	s := p
	buildImg, ok := opt.Images[s.Image.Value]
	if !ok {
		return nil, errors.Errorf("image %q was not resolved", s.Image.Value)
	}
	runtimeImg, ok := opt.Images[s.Release.Image.Value]
	if !ok {
		return nil, errors.Errorf("image %q was not resolved", s.Release.Image.Value)
	}

	base := c.buildBase(buildImg)
	installBase := base
	if in := opt.multi.install; in != nil {
		installBase = c.buildBase(in.Image)
		for _, v := range in.Env {
			installBase = installBase.AddEnv(v.Name, v.Value)
		}
	}
	install, err := c.installMounts()
	if err != nil {
		return nil, err
	}
	if cmd := s.Dependencies.Tools; cmd != nil {
		// on the image the installs run on, and on the one test and build
		// run on (the same one, unless the installs run on another platform)
		base = c.runNamed(base, "tools", TargetDependencies, cmd, install...)
		installBase = c.runNamed(installBase, "tools", TargetDependencies, cmd, install...)
	}
	manifests, err := c.manifests(installBase)
	if err != nil {
		return nil, err
	}
	fetchBase := installBase
	if opt.multi.native != nil {
		fetchBase = c.buildBase(*opt.multi.native)
	}
	install = append(install, c.fetch(fetchBase)...)
	depStage, devStage := TargetDependencies, TargetDevelopment
	where := ""
	switch m := opt.multi; {
	case m.install != nil && m.named:
		// named for the platform they install for, and say where they run
		where = " " + platforms.Format(c.opt.Platform) + " on " + platforms.Format(m.install.Platform)
	case m.emulated != "" && m.named:
		where = " " + platforms.Format(c.opt.Platform) + ", emulated: " + m.emulated
	case m.named:
		where = " " + platforms.Format(c.opt.Platform)
	}
	depStage += where
	devStage += where
	prod := manifests
	if cmd := s.Dependencies.Production; cmd != nil {
		prod = c.runNamed(manifests, depStage, TargetDependencies, cmd, install...)
	}
	dev := prod
	if cmd := s.Dependencies.Development; cmd != nil {
		dev = c.runNamed(prod, devStage, TargetDevelopment, cmd, install...)
	}
	// the release copies workdir from prod wherever it ran; the steps of
	// this platform start from its own build image with that workdir
	prodHere, devHere := prod, dev
	if in := opt.multi.install; in != nil {
		prodHere = c.graft(base, prod, TargetDependencies, in)
		devHere = c.graft(base, dev, TargetDevelopment, in)
	}
	src, err := c.source(devHere)
	if err != nil {
		return nil, err
	}

	g := &Graph{Targets: map[string]*Target{}, Installed: dev}
	buildCfg := c.buildConfig(buildImg.Config)
	add := func(name string, st bk.State, img, baseImg *dockerspec.DockerOCIImage) {
		g.Targets[name] = &Target{Name: name, State: st, Image: img, BaseImage: baseImg}
	}
	add(TargetDependencies, prodHere, buildCfg, buildImg.Config)
	add(TargetDevelopment, src, buildCfg, buildImg.Config)

	// test and build both start from src and share no edge, so BuildKit
	// runs them in parallel.
	// test and build run in the app's folder (workdir itself unless the
	// app is one workspace of a monorepo)
	appDir := s.AppDir()
	testTarget, reports := src, src
	if cmd := s.Test.Run; cmd != nil {
		tested, passed := c.test(src.Dir(appDir), cmd)
		testTarget, reports = tested, tested
		if len(s.Test.Reports) > 0 {
			reports = c.collect(tested, s.Test.Reports, "[test] reports: ")
			testTarget = reports
		}
		if passed != nil {
			// the reports and the exit code, whatever the tests said; the
			// test target itself fails with the tests
			reports = reports.File(bk.Copy(*passed, "/"+exitCodeFile, "/"+exitCodeFile).Copy(*passed, "/"+outputFile, "/"+outputFile),
				bk.WithCustomName("[test] exit code and output"))
			gate := c.gate(tested, *passed, cmd)
			testTarget = c.require(base, testTarget, testsPassed, TargetTest, gate)
			g.Tests = &gate
		} else {
			g.Tests = &tested
		}
		if opt.multi.tests != nil {
			g.Tests = opt.multi.tests
		}
		if opt.SkipTests {
			g.Tests = nil
		}
	}
	add(TargetTest, testTarget, buildCfg, buildImg.Config)
	add(TargetTestReports, reports, buildCfg, buildImg.Config)

	built := src
	if cmd := s.Build.Run; cmd != nil {
		mounts, err := c.mounts(StepMounts(s, s.Build.Caches, plan.SecretBuild))
		if err != nil {
			return nil, err
		}
		built = c.run(src.Dir(appDir), TargetBuild, cmd, mounts...)
	}
	add(TargetBuild, built, buildCfg, buildImg.Config)
	g.Built = built
	if opt.multi.built != nil && s.Build.Run != nil {
		built = *opt.multi.built
	}

	release, err := c.release(runtimeImg, prod, built)
	if err != nil {
		return nil, err
	}
	releaseCfg := c.releaseConfig(runtimeImg.Config)
	add(TargetRelease, release, releaseCfg, runtimeImg.Config)
	g.Base = base
	g.Assembled = release

	if g.Tests != nil {
		// the gate in the graph: each target's result is its own state,
		// available only once the tests have passed
		for name, t := range g.Targets {
			if name != TargetTest && name != TargetTestReports {
				t.State = c.require(base, t.State, testsPassed, name, *g.Tests)
			}
		}
	}
	if check, ok := c.startCheck(release, releaseCfg); ok {
		t := g.Targets[TargetRelease]
		t.State = c.require(base, t.State, releaseStarted, TargetRelease, check)
	}
	return g, nil
}

// gate names what require waits for.
type gate struct{ id, stage, what string }

var (
	testsPassed    = gate{"stagefile.tests-passed", TargetTest, "tests passed"}
	releaseStarted = gate{"stagefile.release-started", TargetRelease, "started"}
)

// require is st, available only once deps (the tests, the release's
// start check) have been built: a passthrough op where the daemon has
// them (st unchanged, deps solved beside it). Older daemons get what
// Dalec does there: a step that does nothing, on the build image (it has
// a shell: every step runs one), with deps mounted and st mounted
// writable, whose mount is the result; it adds one empty layer to an
// exported image, and no second solve or error guessing in the frontend.
// It runs with no network: it needs none, and a daemon without its
// default bridge (dockerd --bridge=none) would fail the step otherwise.
func (c *converter) require(shell, st bk.State, g gate, target string, deps ...bk.State) bk.State {
	if c.caps.Passthrough {
		return st.Requires(g.id, deps...)
	}
	opts := []bk.RunOption{bk.Args([]string{"/bin/sh", "-c", ":"}), c.named(g.stage, g.what+": "+target),
		bk.Network(bk.NetModeNone), bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs())}
	for i, d := range deps {
		opts = append(opts, bk.AddMount(fmt.Sprintf("/stagefile/required-%d", i), d, bk.Readonly))
	}
	return shell.Run(opts...).AddMount("/stagefile/target", st)
}

// source copies what test and build see onto the development install:
// the whole context, or for an app of a workspace only its scope (the
// app's folder, the packages it depends on, the root's tool files), so
// an edit elsewhere in the repository moves no digest of the app's steps.
// With build.workspace, the scope without the app's folder comes first,
// the workspace packages are built on it, and the app's folder is copied
// last: an edit in the app keeps that build cached.
func (c *converter) source(dev bk.State) (bk.State, error) {
	s := c.s
	cp := func(dst bk.State, sc SourceCopy) (bk.State, error) {
		ctx, err := c.opt.Context(sc.Include, sc.Exclude)
		if err != nil {
			return bk.State{}, err
		}
		// the context source already filters; the copy filters too where
		// the daemon can, for contexts that are not local
		info := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}
		if c.caps.CopyPatterns {
			info.IncludePatterns, info.ExcludePatterns = sc.Include, sc.Exclude
		}
		return dst.File(bk.Copy(ctx, "/", s.Workdir.Value, info), c.named("source", sc.What), c.location(s.Source.At)), nil
	}
	first, app := SourceCopies(s)
	packages, err := cp(dev, first)
	if err != nil || app == nil {
		return packages, err
	}
	mounts, err := c.mounts(StepMounts(s, s.Build.Caches, plan.SecretBuild))
	if err != nil {
		return bk.State{}, err
	}
	built := c.runNamed(packages, "build workspace packages", TargetBuild, s.Build.Workspace, mounts...)
	return cp(built, *app)
}

// buildBase is the build image with the spec's env and workdir.
func (c *converter) buildBase(img Image) bk.State {
	st := img.State
	if img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			k, v, _ := strings.Cut(kv, "=")
			st = st.AddEnv(k, v)
		}
	}
	for _, v := range c.s.Env {
		st = st.AddEnv(v.Name, c.expand(v.Value))
	}
	return st.Dir(c.s.Workdir.Value).User("0:0")
}

// platformArgs are the predefined args of this conversion's platforms.
func (c *converter) platformArgs() map[string]string {
	target, build := c.opt.Platform, c.opt.Platform
	if c.opt.BuildPlatform != nil {
		build = *c.opt.BuildPlatform
	}
	return map[string]string{
		"TARGETPLATFORM": platforms.Format(target), "TARGETOS": target.OS, "TARGETARCH": target.Architecture, "TARGETVARIANT": target.Variant,
		"BUILDPLATFORM": platforms.Format(build), "BUILDOS": build.OS, "BUILDARCH": build.Architecture, "BUILDVARIANT": build.Variant,
	}
}

// expand replaces the predefined args (${TARGETARCH}...) the plan left
// in a value; the plan already replaced the declared ones.
func (c *converter) expand(s string) string {
	args := c.platformArgs()
	out, _ := plan.Expand(s, func(name string) (string, bool) {
		v, ok := args[name]
		return v, ok
	})
	return out
}

// argValue is what a step that reads arg name gets.
func (c *converter) argValue(name string) string {
	for _, a := range c.s.Args {
		if a.Name == name {
			return a.Value
		}
	}
	return c.platformArgs()[name]
}

// manifests copies only the dependency manifests into workdir, so the
// installs' cache keys depend on nothing else.
func (c *converter) manifests(base bk.State) (bk.State, error) {
	m := plan.Values(c.s.Dependencies.Manifests)
	if len(m) == 0 {
		return base, nil
	}
	ctx, err := c.opt.Context(m, nil)
	if err != nil {
		return bk.State{}, err
	}
	wd := c.s.Workdir.Value
	name := c.named(TargetDependencies, "copy manifests: "+strings.Join(m, " "))
	loc := c.location(c.s.Dependencies.Manifests[0].Origin.At)
	if c.caps.CopyPatterns {
		info := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true, IncludePatterns: m}
		if c.caps.RequiredPaths {
			for _, p := range m {
				if !hasGlob(p) {
					info.RequiredPaths = append(info.RequiredPaths, "/"+path.Clean(p))
				}
			}
		}
		return base.File(bk.Copy(ctx, "/", wd, info), name, loc), nil
	}
	// Older daemons can't filter a copy: copy each manifest by name.
	var fa *bk.FileAction
	for i, p := range m {
		if hasGlob(p) {
			return bk.State{}, spec.Errorf(c.s.File, c.s.Dependencies.Manifests[i].Origin.At,
				"manifest pattern %q needs BuildKit 0.12 or later (list the files one by one, or upgrade BuildKit)", p)
		}
		cp := bk.Copy(ctx, "/"+p, path.Join(wd, p), &bk.CopyInfo{CreateDestPath: true})
		if fa == nil {
			fa = cp
		} else {
			fa = fa.Copy(ctx, "/"+p, path.Join(wd, p), &bk.CopyInfo{CreateDestPath: true})
		}
	}
	return base.File(fa, name, loc), nil
}

// run is a shell step in workdir. /tmp is a tmpfs so nothing a tool leaves
// there lands in a layer.
func (c *converter) run(st bk.State, stage string, cmd *plan.Command, extra ...bk.RunOption) bk.State {
	return c.runNamed(st, stage, stage, cmd, extra...)
}

// runNamed is run with a name other than the stage (--no-cache= filters
// by stage).
func (c *converter) runNamed(st bk.State, name, stage string, cmd *plan.Command, extra ...bk.RunOption) bk.State {
	script := cmd.Script()
	// the build args the command reads are its own environment: they move
	// its cache key, and no later step's
	in := st
	for _, name := range cmd.Args {
		in = in.AddEnv(name, c.argValue(name))
	}
	label := c.named(stage, oneLine(script))
	if name != stage {
		label = bk.WithCustomName(clean("[" + name + "] " + oneLine(script)))
	}
	opts := []bk.RunOption{
		bk.Args([]string{"/bin/sh", "-c", script}),
		label,
		c.location(cmd.Origin.At),
		bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs()),
	}
	opts = append(opts, extra...)
	opts = append(opts, c.opt.Run...)
	if c.opt.NoCache != nil && c.opt.NoCache(stage) {
		opts = append(opts, bk.IgnoreCache)
	}
	return st.WithOutput(in.Run(opts...).Root().Output())
}

// test runs the tests. With test.reports declared the step records the
// exit code instead of failing, so the reports of a failing run can still
// be exported (target test-reports); passed is then the status, and gate
// the step that fails when it is not 0.
func (c *converter) test(st bk.State, cmd *plan.Command) (tested bk.State, passed *bk.State) {
	caches, _ := c.mounts(StepMounts(c.s, c.s.Test.Caches, plan.SecretTest)) // its context files were read by the installs
	if len(c.s.Test.Reports) == 0 {
		return c.run(st, TargetTest, cmd, caches...), nil
	}
	// the script is an argument, not pasted into the wrapper: no quoting
	record := &plan.Command{Shell: cmd.Script(), Origin: cmd.Origin, Args: cmd.Args}
	status := bk.Scratch()
	in := st
	for _, name := range cmd.Args {
		in = in.AddEnv(name, c.argValue(name))
	}
	opts := []bk.RunOption{
		bk.Args([]string{"/bin/sh", "-c", RecordScript(), record.Shell}),
		c.named(TargetTest, oneLine(record.Shell)),
		c.location(cmd.Origin.At),
		bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs()),
	}
	opts = append(append(opts, caches...), c.opt.Run...)
	if c.opt.NoCache != nil && c.opt.NoCache(TargetTest) {
		opts = append(opts, bk.IgnoreCache)
	}
	es := in.Run(opts...)
	out := es.AddMount(StatusDir, status)
	return st.WithOutput(es.Root().Output()), &out
}

// gate fails when the recorded exit code is not 0, pointing at test.run,
// with the end of the tests' output.
func (c *converter) gate(tested, passed bk.State, cmd *plan.Command) bk.State {
	return tested.Run(bk.Args([]string{"/bin/sh", "-c", GateScript()}), bk.AddMount(StatusDir, passed, bk.Readonly),
		c.named(TargetTest, "tests passed?"), c.location(cmd.Origin.At), bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs())).Root()
}

// installMounts are the package-manager caches, the config files
// (read-only, from the context) and the secrets, for the dependency
// installs only: none of them is stored in a layer.
func (c *converter) installMounts() ([]bk.RunOption, error) {
	return c.mounts(InstallMounts(c.s))
}

// mounts are the run options of mounts.
func (c *converter) mounts(mounts []Mount) ([]bk.RunOption, error) {
	var opts []bk.RunOption
	var files []string
	for _, m := range mounts {
		if m.Kind == ContextMount {
			files = append(files, m.Source)
		}
	}
	var cfg bk.State
	if len(files) > 0 {
		var err error
		if cfg, err = c.opt.Context(files, nil); err != nil {
			return nil, err
		}
	}
	for _, m := range mounts {
		switch m.Kind {
		case CacheMount:
			id := m.ID
			if c.opt.CacheNS != "" {
				id = c.opt.CacheNS + "/" + id
			}
			sharing := bk.CacheMountShared
			switch m.Sharing {
			case "locked":
				sharing = bk.CacheMountLocked
			case "private":
				sharing = bk.CacheMountPrivate
			}
			opts = append(opts, bk.AddMount(m.Target, bk.Scratch(), bk.AsPersistentCacheDir(id, sharing)))
		case ContextMount:
			opts = append(opts, bk.AddMount(m.Target, cfg, bk.SourcePath("/"+m.Source), bk.Readonly))
		case SecretMount:
			var so []bk.SecretOption
			if !m.Required {
				so = append(so, bk.SecretOptional)
			}
			var target *string
			if m.Target != "" {
				t := m.Target
				target = &t
			}
			if m.Env != "" {
				so = append(so, bk.SecretAsEnvName(m.Env))
			}
			opts = append(opts, bk.AddSecretWithDest(m.ID, target, so...))
		}
	}
	return opts, nil
}

func (c *converter) cacheMounts(caches []plan.Cache) []bk.RunOption {
	opts, _ := c.mounts(CacheMounts(caches)) // caches read no context
	return opts
}

// collect copies paths (relative to workdir) out of st into an empty tree
// at the same relative paths, e.g. for `--output type=local`.
func (c *converter) collect(st bk.State, values []plan.Value[string], name string) bk.State {
	paths := plan.Values(values)
	var fa *bk.FileAction
	for _, p := range paths {
		src := path.Join(c.s.Workdir.Value, p)
		dest := "/" + path.Clean(p)
		if hasGlob(p) {
			dest = path.Dir(dest) + "/"
		}
		info := &bk.CopyInfo{CreateDestPath: true, AllowWildcard: true}
		if fa == nil {
			fa = bk.Copy(st, src, dest, info)
		} else {
			fa = fa.Copy(st, src, dest, info)
		}
	}
	return bk.Scratch().File(fa, bk.WithCustomName(clean(name+strings.Join(paths, " "))), c.location(values[0].Origin.At))
}

// release is the runtime image plus two layers: the workdir as the
// production install left it (manifests + production dependencies) and the
// build outputs. With Merge the layers are independent inputs, so editing
// the source rebuilds only the outputs layer and never copies the
// dependencies again; without it they are copied on top in order.
func (c *converter) release(runtime Image, prod, built bk.State) (bk.State, error) {
	s := c.s
	wd := s.Workdir.Value
	var layers []func(bk.State) bk.State
	if s.HasDependencyLayer() {
		info := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}
		if c.caps.CopyPatterns {
			info.ExcludePatterns = plan.Values(s.Dependencies.Unshipped)
		}
		layers = append(layers, func(dst bk.State) bk.State {
			return dst.File(bk.Copy(prod, wd, wd, info), c.named(TargetRelease, "production dependencies"), c.location(s.Dependencies.At))
		})
	}
	if outs := plan.Values(s.Build.Outputs); len(outs) > 0 {
		// Outputs come from the build step; without one they are source
		// files, taken straight from the context so they don't wait for the
		// dependency installs.
		from, root := built, wd
		if OutputsFromContext(s) {
			ctx, err := c.opt.Context(outs, nil)
			if err != nil {
				return bk.State{}, err
			}
			from, root = ctx, "/"
		}
		layers = append(layers, func(dst bk.State) bk.State {
			var fa *bk.FileAction
			for _, o := range outs {
				src, dest := path.Join(root, o), path.Join(wd, o)
				if hasGlob(o) {
					dest = path.Dir(dest) + "/"
				}
				// a pattern's matches keep their names: a matched folder is
				// copied as that folder, not merged into dest
				info := &bk.CopyInfo{CopyDirContentsOnly: !hasGlob(o), CreateDestPath: true, AllowWildcard: true}
				if fa == nil {
					fa = bk.Copy(from, src, dest, info)
				} else {
					fa = fa.Copy(from, src, dest, info)
				}
			}
			return dst.File(fa, c.named(TargetRelease, "build outputs: "+strings.Join(outs, " ")), c.location(s.Build.Outputs[0].Origin.At))
		})
	}
	st := runtime.State
	if c.caps.Merge {
		inputs := []bk.State{st}
		for _, l := range layers {
			inputs = append(inputs, l(bk.Scratch()))
		}
		st = bk.Merge(inputs, c.named(TargetRelease, "assemble image"), c.location(s.Release.At))
	} else {
		for _, l := range layers {
			st = l(st)
		}
	}
	if w := s.Release.Writable; len(w) > 0 {
		// folders the app writes, owned by the release user, resolved in
		// the release's own /etc/passwd; nothing else is chowned
		owner := s.Release.User.Value
		if owner == "" && runtime.Config != nil {
			owner = runtime.Config.Config.User
		}
		if err := CheckWritableOwner(s, owner); err != nil {
			return bk.State{}, err
		}
		var fa *bk.FileAction
		var names []string
		for i, p := range WritableDirs(s) {
			v := w[i]
			mk := []bk.MkdirOption{bk.WithParents(true), bk.WithUser(owner)}
			if c.opt.Epoch != nil {
				mk = append(mk, bk.WithCreatedTime(*c.opt.Epoch))
			}
			if fa == nil {
				fa = bk.Mkdir(p, 0o755, mk...)
			} else {
				fa = fa.Mkdir(p, 0o755, mk...)
			}
			names = append(names, v.Value)
		}
		st = st.File(fa, c.named(TargetRelease, "writable: "+strings.Join(names, " ")), c.location(w[0].Origin.At))
	}
	return st.Dir(s.AppDir()), nil
}

// named labels a vertex for humans: "[test] make test", or "[test
// linux/arm64] make test" in a multi-platform build. Control
// characters in a command never reach the user's terminal through it.
func (c *converter) named(stage, what string) bk.ConstraintsOpt {
	if c.opt.multi.named {
		stage += " " + platforms.Format(c.opt.Platform)
	}
	return bk.WithCustomName(clean("[" + stage + "] " + what))
}

// graft is this platform's build image with workdir as a cross install
// on another platform left it.
func (c *converter) graft(base, installed bk.State, stage string, in *Install) bk.State {
	wd := c.s.Workdir.Value
	return base.File(bk.Copy(installed, wd, wd, &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
		c.named(stage, "workdir as the install on "+platforms.Format(in.Platform)+" left it ("+in.Why+")"), c.location(c.s.Dependencies.At))
}

// clean escapes control characters (ANSI escapes, carriage returns) in
// a vertex name, and bounds its length.
func clean(name string) string { return spec.Printable(name, 200) }

// location points a step at the Stagefile lines it came from.
func (c *converter) location(r spec.Range) bk.ConstraintsOpt {
	// a nil SourceMap adds nothing
	return c.opt.SourceMap.Location([]*pb.Range{PBRange(r)})
}

// PBRange converts a spec range for source maps and errdefs.
func PBRange(r spec.Range) *pb.Range {
	return &pb.Range{
		Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Column - 1)},
		End:   &pb.Position{Line: int32(r.EndLine)},
	}
}

func oneLine(cmd string) string {
	var parts []string
	for _, l := range strings.Split(cmd, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// checkerDir is where the frontend's binary is mounted for the start check.
const checkerDir = "/.stagefile"

// startCheck runs release.check: the frontend's binary starts the app in
// the release's own file system as the image would (its entrypoint and
// cmd, user, working directory and environment, plus check.env), with no
// network, and fails unless it keeps running for the wait (and passes its
// healthcheck). Its result is discarded: only whether it passed counts.
func (c *converter) startCheck(release bk.State, cfg *dockerspec.DockerOCIImage) (bk.State, bool) {
	chk := c.s.Release.Check
	if !chk.Enabled.Value || c.opt.Checker == nil || cfg == nil {
		return bk.State{}, false
	}
	rc := cfg.Config
	argv := append(append([]string{}, rc.Entrypoint...), rc.Cmd...)
	if len(argv) == 0 {
		return bk.State{}, false
	}
	wait, err := time.ParseDuration(chk.Wait.Value)
	if err != nil {
		wait, _ = time.ParseDuration(plan.DefaultCheckWait)
	}
	var health *startcheck.Health
	if h := rc.Healthcheck; h != nil && len(h.Test) > 0 && h.Test[0] != "NONE" {
		// polled often, for as long as a runtime would wait (the start
		// period, then its retries), at least 10s: a build does not wait
		// the 30s interval of a runtime
		health = &startcheck.Health{Test: h.Test, Interval: 500 * time.Millisecond, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: 20}
		if health.Timeout == 0 {
			health.Timeout = 30 * time.Second
		}
	}
	st := release
	for _, kv := range rc.Env {
		k, v, _ := strings.Cut(kv, "=")
		st = st.AddEnv(k, v)
	}
	for _, v := range chk.Env {
		st = st.AddEnv(v.Name, c.expand(v.Value))
	}
	user := rc.User
	if user == "" {
		user = "0"
	}
	dir := rc.WorkingDir
	if dir == "" {
		dir = "/"
	}
	opts := []bk.RunOption{
		bk.Args(append([]string{path.Join(checkerDir, "stagefile")}, startcheck.Args(wait, health, argv)...)),
		bk.AddMount(checkerDir, *c.opt.Checker, bk.SourcePath("/bin"), bk.Readonly),
		bk.Network(bk.NetModeNone),
		bk.User(user),
		bk.Dir(dir),
		c.named(TargetRelease, fmt.Sprintf("start check: %s keeps running for %s, no network", strings.Join(argv, " "), wait)),
		c.location(c.s.Release.At),
	}
	if c.opt.NoCache != nil && c.opt.NoCache(TargetRelease) {
		opts = append(opts, bk.IgnoreCache)
	}
	return st.Run(opts...).Root(), true
}
