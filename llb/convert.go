// Package llb turns a Stagefile spec into BuildKit LLB. It is pure: no
// daemon, no I/O. The frontend resolves base images and the build context
// and hands them in; the same inputs always marshal to the same bytes.
package llb

import (
	"fmt"
	"path"
	"sort"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/spec"
)

// Target names, in pipeline order. Release is the default.
const (
	TargetDependencies = "dependencies"
	TargetDevelopment  = "development"
	TargetTest         = "test"
	TargetBuild        = "build"
	TargetRelease      = "release"
)

// Targets lists every target with what it holds, for --target and
// `docker buildx build --call targets`.
var Targets = []struct{ Name, Description string }{
	{TargetDependencies, "build image + manifests + production dependencies"},
	{TargetDevelopment, "production + development dependencies + source: what test and build run on"},
	{TargetTest, "the tree after the tests ran, or only test.reports when declared"},
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
}

// Target is one buildable result and the image config to export it with.
type Target struct {
	Name  string
	State bk.State
	// Image is the config to export; BaseImage is the config it started from.
	Image     *dockerspec.DockerOCIImage
	BaseImage *dockerspec.DockerOCIImage
}

// Graph is every target of a spec. Tests must solve successfully before any
// target is returned: the frontend evaluates them alongside the target.
type Graph struct {
	Targets map[string]*Target
	Tests   *bk.State // nil when the spec has no test step
}

// converter carries the spec and options through one conversion.
type converter struct {
	s    *spec.Spec
	opt  Options
	caps Caps
}

// Convert builds the LLB graph of every target.
func Convert(s *spec.Spec, opt Options) (*Graph, error) {
	c := &converter{s: s, opt: opt, caps: Caps{Merge: true, CopyPatterns: true, RequiredPaths: true}}
	if opt.Caps != nil {
		c.caps = *opt.Caps
	}
	if opt.Context == nil {
		return nil, errors.New("no build context given")
	}
	buildImg, ok := opt.Images[s.Image]
	if !ok {
		return nil, errors.Errorf("image %q was not resolved", s.Image)
	}
	runtimeImg, ok := opt.Images[s.Release.Image]
	if !ok {
		return nil, errors.Errorf("image %q was not resolved", s.Release.Image)
	}

	base := c.buildBase(buildImg)
	manifests, err := c.manifests(base)
	if err != nil {
		return nil, err
	}
	prod := manifests
	if cmd := s.Dependencies.Production; cmd != "" {
		prod = c.run(manifests, TargetDependencies, cmd, "dependencies.production", c.installMounts()...)
	}
	dev := prod
	if cmd := s.Dependencies.Development; cmd != "" {
		dev = c.run(prod, TargetDevelopment, cmd, "dependencies.development", c.installMounts()...)
	}
	full, err := c.opt.Context(nil, s.Source.Exclude)
	if err != nil {
		return nil, err
	}
	// the context source already leaves source.exclude out; the copy
	// filters too where the daemon can, for contexts that are not local
	copySrc := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}
	if c.caps.CopyPatterns {
		copySrc.ExcludePatterns = s.Source.Exclude
	}
	src := dev.File(bk.Copy(full, "/", s.Workdir, copySrc), c.named("source", "copy build context"), c.location("source"))

	g := &Graph{Targets: map[string]*Target{}}
	buildCfg := c.buildConfig(buildImg.Config)
	add := func(name string, st bk.State, img, baseImg *dockerspec.DockerOCIImage) {
		g.Targets[name] = &Target{Name: name, State: st, Image: img, BaseImage: baseImg}
	}
	add(TargetDependencies, prod, buildCfg, buildImg.Config)
	add(TargetDevelopment, src, buildCfg, buildImg.Config)

	// test and build both start from src and share no edge, so BuildKit
	// runs them in parallel.
	// test and build run in the app's folder (workdir itself unless the
	// app is one workspace of a monorepo)
	appDir := path.Join(s.Workdir, s.App)
	testTarget := src
	if cmd := s.Test.Run; cmd != "" {
		tested := c.run(src.Dir(appDir), TargetTest, cmd, "test.run", c.cacheMounts(s.Test.Caches)...)
		g.Tests = &tested
		testTarget = tested
		if len(s.Test.Reports) > 0 {
			testTarget = c.collect(tested, s.Test.Reports, "test.reports", "[test] reports: ")
		}
	}
	add(TargetTest, testTarget, buildCfg, buildImg.Config)

	built := src
	if cmd := s.Build.Run; cmd != "" {
		built = c.run(src.Dir(appDir), TargetBuild, cmd, "build.run", c.cacheMounts(s.Build.Caches)...)
	}
	add(TargetBuild, built, buildCfg, buildImg.Config)

	release, err := c.release(runtimeImg, prod, built)
	if err != nil {
		return nil, err
	}
	add(TargetRelease, release, c.releaseConfig(runtimeImg.Config), runtimeImg.Config)
	return g, nil
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
	for _, k := range sortedKeys(c.s.Env) {
		st = st.AddEnv(k, c.s.Env[k])
	}
	return st.Dir(c.s.Workdir).User("0:0")
}

// manifests copies only the dependency manifests into workdir, so the
// installs' cache keys depend on nothing else.
func (c *converter) manifests(base bk.State) (bk.State, error) {
	m := c.s.Dependencies.Manifests
	if len(m) == 0 {
		return base, nil
	}
	ctx, err := c.opt.Context(m, nil)
	if err != nil {
		return bk.State{}, err
	}
	name := c.named(TargetDependencies, "copy manifests: "+strings.Join(m, " "))
	loc := c.location("dependencies.manifests")
	if c.caps.CopyPatterns {
		info := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true, IncludePatterns: m}
		if c.caps.RequiredPaths {
			for _, p := range m {
				if !hasGlob(p) {
					info.RequiredPaths = append(info.RequiredPaths, "/"+path.Clean(p))
				}
			}
		}
		return base.File(bk.Copy(ctx, "/", c.s.Workdir, info), name, loc), nil
	}
	// Older daemons can't filter a copy: copy each manifest by name.
	var fa *bk.FileAction
	for _, p := range m {
		if hasGlob(p) {
			return bk.State{}, &spec.Error{File: c.s.File(), Range: c.s.Where("dependencies.manifests"),
				Msg: fmt.Sprintf("manifest pattern %q needs BuildKit 0.12 or later (list the files one by one, or upgrade BuildKit)", p)}
		}
		cp := bk.Copy(ctx, "/"+p, path.Join(c.s.Workdir, p), &bk.CopyInfo{CreateDestPath: true})
		if fa == nil {
			fa = cp
		} else {
			fa = fa.Copy(ctx, "/"+p, path.Join(c.s.Workdir, p), &bk.CopyInfo{CreateDestPath: true})
		}
	}
	return base.File(fa, name, loc), nil
}

// run is a shell step in workdir. /tmp is a tmpfs so nothing a tool leaves
// there lands in a layer.
func (c *converter) run(st bk.State, stage, cmd, at string, extra ...bk.RunOption) bk.State {
	opts := []bk.RunOption{
		bk.Args([]string{"/bin/sh", "-c", cmd}),
		c.named(stage, oneLine(cmd)),
		c.location(at),
		bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs()),
	}
	opts = append(opts, extra...)
	opts = append(opts, c.opt.Run...)
	if c.opt.NoCache != nil && c.opt.NoCache(stage) {
		opts = append(opts, bk.IgnoreCache)
	}
	return st.Run(opts...).Root()
}

// installMounts are the package-manager caches and the secrets, for the
// dependency installs only.
func (c *converter) installMounts() []bk.RunOption {
	opts := c.cacheMounts(c.s.Dependencies.Caches)
	for _, sec := range c.s.Secrets {
		var so []bk.SecretOption
		if !sec.Required {
			so = append(so, bk.SecretOptional)
		}
		var target *string
		if t := c.s.SecretTarget(sec); t != "" {
			target = &t
		}
		if sec.Env != "" {
			so = append(so, bk.SecretAsEnvName(sec.Env))
		}
		opts = append(opts, bk.AddSecretWithDest(sec.ID, target, so...))
	}
	return opts
}

func (c *converter) cacheMounts(caches []spec.Cache) []bk.RunOption {
	var opts []bk.RunOption
	for _, cache := range caches {
		id := cache.ID
		if id == "" {
			id = cache.Path
		}
		if c.opt.CacheNS != "" {
			id = c.opt.CacheNS + "/" + id
		}
		sharing := bk.CacheMountShared
		switch cache.Sharing {
		case "locked":
			sharing = bk.CacheMountLocked
		case "private":
			sharing = bk.CacheMountPrivate
		}
		opts = append(opts, bk.AddMount(cache.Path, bk.Scratch(), bk.AsPersistentCacheDir(id, sharing)))
	}
	return opts
}

// collect copies paths (relative to workdir) out of st into an empty tree
// at the same relative paths, e.g. for `--output type=local`.
func (c *converter) collect(st bk.State, paths []string, at, name string) bk.State {
	var fa *bk.FileAction
	for _, p := range paths {
		src := path.Join(c.s.Workdir, p)
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
	return bk.Scratch().File(fa, bk.WithCustomName(name+strings.Join(paths, " ")), c.location(at))
}

// release is the runtime image plus two layers: the workdir as the
// production install left it (manifests + production dependencies) and the
// build outputs. With Merge the layers are independent inputs, so editing
// the source rebuilds only the outputs layer and never copies the
// dependencies again; without it they are copied on top in order.
func (c *converter) release(runtime Image, prod, built bk.State) (bk.State, error) {
	s := c.s
	wd := s.Workdir
	var layers []func(bk.State) bk.State
	if c.hasDependencyLayer() {
		layers = append(layers, func(dst bk.State) bk.State {
			return dst.File(bk.Copy(prod, wd, wd, &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
				c.named(TargetRelease, "production dependencies"), c.location("dependencies"))
		})
	}
	if outs := s.Build.Outputs; len(outs) > 0 {
		// Outputs come from the build step; without one they are source
		// files, taken straight from the context so they don't wait for the
		// dependency installs.
		from, root := built, wd
		if s.Build.Run == "" {
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
				info := &bk.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true, AllowWildcard: true}
				if fa == nil {
					fa = bk.Copy(from, src, dest, info)
				} else {
					fa = fa.Copy(from, src, dest, info)
				}
			}
			return dst.File(fa, c.named(TargetRelease, "build outputs: "+strings.Join(outs, " ")), c.location("build.outputs"))
		})
	}
	st := runtime.State
	if c.caps.Merge {
		inputs := []bk.State{st}
		for _, l := range layers {
			inputs = append(inputs, l(bk.Scratch()))
		}
		st = bk.Merge(inputs, c.named(TargetRelease, "assemble image"), c.location("release"))
	} else {
		for _, l := range layers {
			st = l(st)
		}
	}
	return st.Dir(path.Join(wd, s.App)), nil
}

// hasDependencyLayer: the release carries workdir as the production
// install left it when there is an install or at least manifests to carry.
func (c *converter) hasDependencyLayer() bool {
	return c.s.Dependencies.Production != "" || len(c.s.Dependencies.Manifests) > 0
}

// named labels a vertex for humans: "[test] yarn run test".
func (c *converter) named(stage, what string) bk.ConstraintsOpt {
	return bk.WithCustomName("[" + stage + "] " + what)
}

// location points a step at the spec value it came from.
func (c *converter) location(p string) bk.ConstraintsOpt {
	// a nil SourceMap adds nothing
	return c.opt.SourceMap.Location([]*pb.Range{PBRange(c.s.Span(p))})
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
