// Package frontend is the BuildKit gateway frontend: it reads the Stagefile
// through dockerui, resolves it into a checked Plan (the preset reading
// the build context and the runtime image), converts the Plan with package
// llb and solves the target — which the tests gate inside the graph, or,
// on daemons without passthrough ops, alongside it.
package frontend

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/internal/startcheck"
	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// Version is the frontend's version, for the documents it writes.
var Version = "dev"

const (
	// DefaultFilename is read when the client names no file (buildctl
	// without --opt filename). docker build -f sets it.
	DefaultFilename = "Stagefile"
	// argSkipTests skips the test step, loudly. For local iteration only.
	argSkipTests = "STAGEFILE_SKIP_TESTS"
	argEpoch     = "SOURCE_DATE_EPOCH"
	keyFilename  = "filename"
)

// Build is the frontend's entry point, run by grpcclient.RunFromEnvironment
// in the frontend image and directly by in-process clients.
func Build(ctx context.Context, c client.Client) (*client.Result, error) {
	bc, err := dockerui.NewClient(withDefaultFilename(c))
	if err != nil {
		return nil, err
	}
	src, err := bc.ReadEntrypoint(ctx, "yaml")
	if err != nil {
		return nil, err
	}
	s, err := spec.Parse(src.Filename, src.Data)
	if err != nil {
		return nil, withSource(err, src.SourceMap)
	}
	lintCfg, err := LintConfig(src.Data, bc.LinterConfig)
	if err != nil {
		return nil, err
	}
	b := &builder{c: c, bc: bc, src: src, lint: lintCfg}

	// Every answer, subrequests included, comes from the resolved plan:
	// what the preset filled is listed, checked and linted like the rest.
	p, warnings, err := b.resolve(ctx, s)
	if err != nil {
		shown, _ := lintCfg.Report(warnings, false)
		b.warn(ctx, shown)
		return nil, withSource(err, src.SourceMap)
	}
	b.plan = p
	if res, ok, err := bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		ListTargets: b.listTargets,
		Outline:     b.outline,
		Lint: func(ctx context.Context) (*lint.LintResults, error) {
			return b.lintResults(warnings), nil
		},
	}); err != nil || ok {
		return res, err
	}

	target := bc.Target
	if target == "" {
		target = llb.TargetRelease
	}
	if !knownTarget(target) {
		return nil, errors.Errorf("unknown target %q (the targets are: %s)", target, strings.Join(targetNames(), ", "))
	}
	if target == llb.TargetTestReports && len(p.Test.Reports) == 0 {
		// it would export the whole tested tree, and fail with the tests
		msg := "target test-reports exports test.reports and the tests' exit code, and this Stagefile lists no test.reports (list the report files the tests write, e.g. test.reports: [reports/junit.xml], or use --target test)"
		if p.Test.Run == nil {
			return nil, errors.New("target test-reports exports the reports of the tests, and this build runs none (add a test section, or use another target)")
		}
		return nil, withSource(spec.Errorf(p.File, p.Test.Run.Origin.At, "%s", msg), b.src.SourceMap)
	}
	if skip, _ := strconv.ParseBool(bc.BuildArgs[argSkipTests]); skip && target != llb.TargetTest && target != llb.TargetTestReports && p.Test.Run != nil {
		b.skipTests = true
		warnings = append(warnings, plan.Warn(p, plan.TestsSkipped, plan.Origin{At: p.Test.At},
			"tests skipped: %s is set, so this image is untested (unset it before shipping)", argSkipTests))
	}
	shown, err := lintCfg.Report(warnings, target == llb.TargetRelease)
	b.warn(ctx, shown)
	if err != nil {
		return nil, withSource(err, b.src.SourceMap)
	}
	if b.epoch, err = b.sourceDateEpoch(ctx); err != nil {
		return nil, err
	}

	graphs, err := b.convert(ctx)
	if err != nil {
		return nil, err
	}
	rb, err := bc.Build(ctx, func(ctx context.Context, platform *ocispecs.Platform, idx int) (*dockerui.BuildResult, error) {
		pl := b.firstPlatform()
		if platform != nil {
			pl = platforms.Normalize(*platform)
		}
		g, ok := graphs[platforms.Format(pl)]
		if !ok {
			return nil, errors.Errorf("no graph for platform %s", platforms.Format(pl))
		}
		return b.buildPlatform(ctx, target, pl, g)
	})
	if err != nil {
		return nil, err
	}
	if bc.SBOM != nil {
		if err := b.attachSBOM(ctx, rb, target); err != nil {
			return nil, err
		}
	}
	return rb.Finalize()
}

// builder holds what one build needs across platforms.
type builder struct {
	c         client.Client
	bc        *dockerui.Client
	src       *dockerui.Source
	lint      plan.LintConfig
	plan      *plan.Plan
	skipTests bool
	epoch     *time.Time

	imagesMu sync.Mutex
	images   map[string]*resolvedImage // by reference and platform

	// each platform's result, for an SBOM read from what it holds
	refsMu sync.Mutex
	refs   map[string]client.Reference
}

// warn reports warnings in the progress stream.
func (b *builder) warn(ctx context.Context, warnings []*plan.Warning) {
	for _, w := range warnings {
		msg := fmt.Sprintf("%s: %s (%s line %d)", w.Rule.Name, w.Msg, w.File, w.Range.Start.Line)
		if w.Whole {
			msg = fmt.Sprintf("%s: %s", w.Rule.Name, w.Msg)
		}
		b.src.Warn(ctx, msg, client.WarnOpts{
			Level:      1,
			SourceInfo: sourceInfo(b.src.SourceMap),
			Range:      []*pb.Range{llb.PBRange(w.Range)},
			Detail:     [][]byte{[]byte(w.Rule.Description)},
			URL:        w.Rule.URL,
		})
	}
}

// sourceDateEpoch is SOURCE_DATE_EPOCH: Unix seconds, or "context" for
// the time of the context's commit (git contexts). It sets the release's
// creation time and, with the exporter's rewrite-timestamp, its files'.
// It is not passed to the steps: a per-commit value would reinstall the
// dependencies on every commit.
func (b *builder) sourceDateEpoch(ctx context.Context) (*time.Time, error) {
	v, ok := b.bc.BuildArgs[argEpoch]
	if !ok || v == "" {
		return nil, nil
	}
	if v == "context" {
		return b.bc.ResolveMainContextSourceDateEpoch(ctx)
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return nil, errors.Errorf("%s=%q is not a time: give seconds since 1970 (e.g. $(git log -1 --format=%%ct)) or \"context\"", argEpoch, v)
	}
	t := time.Unix(sec, 0).UTC()
	return &t, nil
}

// firstPlatform is the platform of a single-platform build (dockerui's
// default: the worker's) or the first of a multi-platform one.
func (b *builder) firstPlatform() ocispecs.Platform {
	if len(b.bc.TargetPlatforms) > 0 {
		return platforms.Normalize(b.bc.TargetPlatforms[0])
	}
	return platforms.Normalize(b.bc.BuildPlatforms[0])
}

// targetPlatforms are the platforms the build is for, normalised.
func (b *builder) targetPlatforms() []ocispecs.Platform {
	var out []ocispecs.Platform
	for _, p := range b.bc.TargetPlatforms {
		out = append(out, platforms.Normalize(p))
	}
	if len(out) == 0 {
		out = append(out, b.firstPlatform())
	}
	return out
}

// convert converts the plan for every target platform: it resolves the
// images the conversion names, runs the cross-install check when the
// conversion asks for it, and leaves every decision to llb.Build.
func (b *builder) convert(ctx context.Context) (map[string]*llb.Graph, error) {
	bp := platforms.Normalize(b.bc.BuildPlatforms[0])
	build := llb.Build{Plan: b.plan, Platforms: b.targetPlatforms(), BuildPlatform: bp, Options: b.convertOptions(ctx)}
	images, err := b.resolveImages(ctx, build.Images())
	if err != nil {
		return nil, err
	}
	verdict := ""
	st, ok, err := build.CrossCheck(images)
	if err != nil {
		return nil, withSource(err, b.src.SourceMap)
	}
	if ok {
		ref, err := b.solve(ctx, st, bp)
		if err != nil {
			return nil, err
		}
		dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: llb.CrossCheckReasons, Range: &client.FileRange{Length: 64 << 10}})
		if err != nil {
			return nil, errors.Wrap(err, "reading the cross-install check's verdict")
		}
		verdict = llb.CrossVerdict(dt)
	}
	graphs, err := build.Convert(images, verdict)
	return graphs, withSource(err, b.src.SourceMap)
}

// buildPlatform solves target of platform p's graph, evaluated now
// rather than lazily at export, so the build step and the release layers
// run in parallel with the tests, which gate the target in the graph.
func (b *builder) buildPlatform(ctx context.Context, target string, p ocispecs.Platform, g *llb.Graph) (*dockerui.BuildResult, error) {
	t := g.Targets[target]
	ref, err := b.solve(ctx, t.State, p)
	if err != nil {
		if target == llb.TargetRelease && startCheckFailed(err) {
			// the release the check ran on is built: say which file or
			// program it lacks, at the line that named it, rather than the
			// runtime's trace
			if rel, rerr := b.solve(ctx, g.Assembled, p); rerr == nil {
				if serr := b.checkStart(ctx, rel, t.Image); serr != nil {
					return nil, serr
				}
			}
		}
		return nil, b.missingOutput(err)
	}
	if target == llb.TargetRelease {
		if err := b.checkStart(ctx, ref, t.Image); err != nil {
			return nil, err
		}
	}
	b.refsMu.Lock()
	if b.refs == nil {
		b.refs = map[string]client.Reference{}
	}
	b.refs[platforms.Format(p)] = ref
	b.refsMu.Unlock()
	return &dockerui.BuildResult{Reference: ref, Image: t.Image, BaseImage: t.BaseImage, Epoch: b.epoch}, nil
}

// startCheckFailed says whether the step that failed a solve is the
// release's start check.
func startCheckFailed(err error) bool {
	var se *errdefs.SolveError
	if !errors.As(err, &se) || se.Op == nil {
		return false
	}
	e := se.Op.GetExec()
	return e != nil && e.Meta != nil && startcheck.Is(e.Meta.Args)
}

// solve marshals st and solves it now, not lazily at export.
func (b *builder) solve(ctx context.Context, st bk.State, p ocispecs.Platform) (client.Reference, error) {
	def, err := st.Marshal(ctx, bk.Platform(p), bk.WithCaps(b.c.BuildOpts().LLBCaps))
	if err != nil {
		return nil, errors.Wrap(err, "failed to marshal LLB definition")
	}
	gwcaps := b.c.BuildOpts().Caps
	canEvaluate := gwcaps.Supports(gwpb.CapGatewayEvaluateSolve) == nil
	res, err := b.c.Solve(ctx, client.SolveRequest{
		Definition:   def.ToPB(),
		CacheImports: b.bc.CacheImports,
		Evaluate:     canEvaluate,
	})
	if err != nil {
		return nil, err
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	if !canEvaluate && ref != nil {
		// Older daemons solve lazily; reading the result forces the solve.
		if _, err := ref.StatFile(ctx, client.StatRequest{Path: "/"}); err != nil {
			return nil, err
		}
	}
	return ref, nil
}

// convertOptions maps the client's build options onto the converter's.
func (b *builder) convertOptions(ctx context.Context) llb.Options {
	bc := b.bc
	llbCaps := b.c.BuildOpts().LLBCaps
	has := func(id apicaps.CapID) bool { return llbCaps.Supports(id) == nil }

	var run []bk.RunOption
	run = append(run, bk.Network(bc.NetworkMode))
	for _, h := range bc.ExtraHosts {
		run = append(run, bk.AddExtraHost(h.Host, h.IP))
	}
	if has(pb.CapExecMetaUlimit) {
		for _, u := range bc.Ulimits {
			run = append(run, bk.AddUlimit(bk.UlimitName(u.Name), u.Soft, u.Hard))
		}
	}
	if bc.ShmSize > 0 && has(pb.CapExecMountTmpfsSize) {
		run = append(run, bk.AddMount("/dev/shm", bk.Scratch(), bk.Tmpfs(bk.TmpfsSize(bc.ShmSize))))
	}
	if bc.CgroupParent != "" && has(pb.CapExecMetaCgroupParent) {
		run = append(run, bk.WithCgroupParent(bc.CgroupParent))
	}
	if bc.Hostname != "" {
		run = append(run, bk.Hostname(bc.Hostname))
	}
	if proxy := proxyEnv(bc.BuildArgs); proxy != nil {
		run = append(run, bk.WithProxy(*proxy))
	}
	var checker *bk.State
	if src := bc.BuildOpts().Opts["source"]; src != "" {
		// this frontend's own image (the "# syntax=" line's, or
		// gateway.v0's source): its static binary runs release.check
		st := bk.Image(src, bk.Platform(platforms.Normalize(bc.BuildPlatforms[0])), dockerui.WithInternalName("load the frontend for the start check"))
		checker = &st
	}
	return llb.Options{
		Checker:   checker,
		Context:   b.contextFunc(ctx),
		SourceMap: b.src.SourceMap,
		CacheNS:   bc.CacheIDNamespace,
		Run:       run,
		NoCache:   bc.IsNoCache,
		Labels:    bc.Labels,
		SkipTests: b.skipTests,
		Epoch:     b.epoch,
		Caps: &llb.Caps{
			Merge:         has(pb.CapMergeOp),
			CopyPatterns:  has(pb.CapFileCopyIncludeExcludePatterns),
			RequiredPaths: has(pb.CapFileCopyRequiredPaths),
			Passthrough:   has(pb.CapPassthroughOp),
		},
	}
}

// proxyEnv is the proxy build args (HTTP_PROXY and friends), which reach
// every step without being part of any cache key, as with Dockerfiles.
func proxyEnv(args map[string]string) *bk.ProxyEnv {
	get := func(name string) string {
		if v, ok := args[name]; ok {
			return v
		}
		return args[strings.ToLower(name)]
	}
	p := bk.ProxyEnv{HTTPProxy: get("HTTP_PROXY"), HTTPSProxy: get("HTTPS_PROXY"), FTPProxy: get("FTP_PROXY"),
		NoProxy: get("NO_PROXY"), AllProxy: get("ALL_PROXY")}
	if p == (bk.ProxyEnv{}) {
		return nil
	}
	return &p
}

func knownTarget(name string) bool {
	for _, t := range llb.Targets {
		if t.Name == name {
			return true
		}
	}
	return false
}

func targetNames() []string {
	var names []string
	for _, t := range llb.Targets {
		names = append(names, t.Name)
	}
	return names
}

// withDefaultFilename makes dockerui read "Stagefile" when the client names
// no file.
func withDefaultFilename(c client.Client) client.Client {
	opts := c.BuildOpts()
	if _, ok := opts.Opts[keyFilename]; ok {
		return c
	}
	m := make(map[string]string, len(opts.Opts)+1)
	for k, v := range opts.Opts {
		m[k] = v
	}
	m[keyFilename] = DefaultFilename
	opts.Opts = m
	return &optsClient{Client: c, opts: opts}
}

type optsClient struct {
	client.Client
	opts client.BuildOpts
}

func (c *optsClient) BuildOpts() client.BuildOpts { return c.opts }

// missingOutput turns BuildKit's "not found" for a build output (a
// checksum of the path the release copies) into an error at the output's
// line that says where it was looked for; other errors pass unchanged.
func (b *builder) missingOutput(err error) error {
	p := b.plan
	msg := err.Error()
	for _, m := range p.Dependencies.Manifests {
		if q := strconv.Quote("/" + path.Clean(m.Value)); !plan.HasWildcard(m.Value) && strings.Contains(msg, q+": not found") {
			return withSource(spec.Errorf(p.File, m.Origin.At, "manifest %s is not in the build context (check its name, e.g. the lockfile your package manager writes, and the .dockerignore)", m.Value), b.src.SourceMap)
		}
	}
	for _, o := range p.Build.Outputs {
		from := path.Join(p.Workdir.Value, o.Value)
		if p.Build.Run == nil && p.Build.Workspace == nil {
			from = path.Join("/", o.Value)
		}
		q := strconv.Quote(from)
		if !strings.Contains(msg, q+": not found") && !strings.Contains(msg, q+" not found") {
			continue
		}
		var e *spec.Error
		switch run := p.Build.Run; {
		case run != nil && o.Origin.Kind == plan.Preset && run.Origin.Kind == plan.Stagefile:
			// the preset guessed the output of a command it did not write
			e = spec.Errorf(p.File, run.Origin.At, "build.run did not write %s, the build output preset %s expects: %s (make the command write it there, or list what it writes under build.outputs)", from, o.Origin.Preset, o.Origin.From)
		case run != nil:
			e = spec.Errorf(p.File, o.Origin.At, "build output %s: %s is not there after the build step ran (write in build.outputs the path the build creates, relative to workdir %s, or make the build create it)", o.Value, from, p.Workdir.Value)
		default:
			e = spec.Errorf(p.File, o.Origin.At, "build output %s is not in the build context (there is no build.run, so outputs are context files: check the path and the .dockerignore)", o.Value)
		}
		return withSource(e, b.src.SourceMap)
	}
	return err
}
