// Package frontend is the BuildKit gateway frontend: it reads the Stagefile
// through dockerui, resolves base images and the build context, converts the
// spec with package llb and solves the target — never returning a result
// before the tests have passed.
package frontend

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"
	"golang.org/x/sync/errgroup"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/spec"
)

const (
	// DefaultFilename is read when the client names no file (buildctl
	// without --opt filename). docker build -f sets it.
	DefaultFilename = "Stagefile"
	// keySkipTests skips the test step, loudly. For local iteration only.
	keySkipTests = "build-arg:STAGEFILE_SKIP_TESTS"
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
	s, warnings, err := spec.Parse(src.Filename, src.Data)
	if err != nil {
		for _, w := range warnings {
			warn(ctx, src, w)
		}
		return nil, withSource(err, src.SourceMap)
	}

	b := &builder{c: c, bc: bc, src: src, spec: s}
	if res, ok, err := bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		ListTargets: b.listTargets,
		Outline:     b.outline,
		Lint: func(ctx context.Context) (*lint.LintResults, error) {
			return b.lint(ctx, warnings)
		},
	}); err != nil || ok {
		return res, err
	}

	// after subrequests: a preset reads the context and the runtime image,
	// which listing targets does not need
	more, err := b.complete(ctx)
	for _, w := range append(warnings, more...) {
		warn(ctx, src, w)
	}
	if err != nil {
		return nil, withSource(err, src.SourceMap)
	}

	target := bc.Target
	if target == "" {
		target = llb.TargetRelease
	}
	if !knownTarget(target) {
		return nil, errors.Errorf("unknown target %q (the targets are: %s)", target, strings.Join(targetNames(), ", "))
	}
	if skip, _ := strconv.ParseBool(bc.BuildOpts().Opts[keySkipTests]); skip && target != llb.TargetTest {
		b.skipTests = true
		warn(ctx, src, &spec.Warning{File: s.File(), Range: s.Span("test"),
			Msg: "tests skipped: STAGEFILE_SKIP_TESTS is set, so this image is untested (unset it before shipping)"})
	}

	rb, err := bc.Build(ctx, func(ctx context.Context, platform *ocispecs.Platform, idx int) (*dockerui.BuildResult, error) {
		p := b.firstPlatform()
		if platform != nil {
			p = platforms.Normalize(*platform)
		}
		return b.buildPlatform(ctx, target, p)
	})
	if err != nil {
		return nil, err
	}
	return rb.Finalize()
}

// builder holds what one build needs across platforms.
type builder struct {
	c         client.Client
	bc        *dockerui.Client
	src       *dockerui.Source
	spec      *spec.Spec
	skipTests bool

	imagesMu sync.Mutex
	images   map[string]*resolvedImage // by reference and platform
}

// firstPlatform is the platform of a single-platform build (dockerui's
// default: the worker's) or the first of a multi-platform one.
func (b *builder) firstPlatform() ocispecs.Platform {
	if len(b.bc.TargetPlatforms) > 0 {
		return platforms.Normalize(b.bc.TargetPlatforms[0])
	}
	return platforms.Normalize(b.bc.BuildPlatforms[0])
}

// buildPlatform converts and solves target for one platform. The tests and
// the target are solved together; the target is returned only if the tests
// passed.
func (b *builder) buildPlatform(ctx context.Context, target string, p ocispecs.Platform) (*dockerui.BuildResult, error) {
	images, err := b.resolveImages(ctx, p)
	if err != nil {
		return nil, err
	}
	g, err := llb.Convert(b.spec, b.convertOptions(ctx, p, images))
	if err != nil {
		return nil, withSource(err, b.src.SourceMap)
	}
	t := g.Targets[target]

	// The target and the tests are evaluated here, together: the build
	// step and the release layers run now, in parallel with the tests
	// (a lazy solve would leave them to the exporter, after the tests), and
	// the result is returned only if the tests passed.
	var ref client.Reference
	eg, ctx := errgroup.WithContext(ctx)
	eg.Go(func() (err error) {
		ref, err = b.solve(ctx, t.State, p)
		return err
	})
	if g.Tests != nil && target != llb.TargetTest && !b.skipTests {
		eg.Go(func() error {
			_, err := b.solve(ctx, *g.Tests, p)
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return &dockerui.BuildResult{Reference: ref, Image: t.Image, BaseImage: t.BaseImage}, nil
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
func (b *builder) convertOptions(ctx context.Context, p ocispecs.Platform, images map[string]llb.Image) llb.Options {
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

	return llb.Options{
		Platform:  p,
		Images:    images,
		Context:   b.contextFunc(ctx),
		SourceMap: b.src.SourceMap,
		CacheNS:   bc.CacheIDNamespace,
		Run:       run,
		NoCache:   bc.IsNoCache,
		Labels:    bc.Labels,
		Caps: &llb.Caps{
			Merge:         has(pb.CapMergeOp),
			CopyPatterns:  has(pb.CapFileCopyIncludeExcludePatterns),
			RequiredPaths: has(pb.CapFileCopyRequiredPaths),
		},
	}
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
