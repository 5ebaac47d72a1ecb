package frontend

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"
	"golang.org/x/sync/errgroup"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// resolveImages resolves the images a conversion names, in parallel.
func (b *builder) resolveImages(ctx context.Context, keys []llb.ImageKey) (map[llb.ImageKey]llb.Image, error) {
	images := make([]llb.Image, len(keys))
	eg, ctx := errgroup.WithContext(ctx)
	for i, k := range keys {
		p, err := platforms.Parse(k.Platform)
		if err != nil {
			return nil, errors.Wrapf(err, "platform %q", k.Platform)
		}
		at := b.plan.Image.Origin
		if k.Ref != b.plan.Image.Value {
			at = b.plan.Release.Image.Origin
		}
		eg.Go(func() error {
			img, err := b.resolveImage(ctx, k.Ref, platforms.Normalize(p), at)
			images[i] = img
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	out := make(map[llb.ImageKey]llb.Image, len(keys))
	for i, k := range keys {
		out[k] = images[i]
	}
	return out, nil
}

// resolvedImage is one image resolved once per build and platform: the
// preset reads the runtime image's users before conversion, and the
// conversion needs the same image again.
type resolvedImage struct {
	once sync.Once
	img  llb.Image
	err  error
}

// resolveImage returns ref for platform p, resolving it on first use; at is
// the value errors point at.
func (b *builder) resolveImage(ctx context.Context, ref string, p ocispecs.Platform, at plan.Origin) (llb.Image, error) {
	key := ref + " " + platforms.FormatAll(p)
	b.imagesMu.Lock()
	r, ok := b.images[key]
	if !ok {
		if b.images == nil {
			b.images = map[string]*resolvedImage{}
		}
		r = &resolvedImage{}
		b.images[key] = r
	}
	b.imagesMu.Unlock()
	r.once.Do(func() { r.img, r.err = b.loadImage(ctx, ref, p, at) })
	return r.img, r.err
}

// loadImage loads ref as a named context when the client passed one
// (--build-context node:20=...), else resolves its config in the registry
// and pins it by digest, as the Dockerfile frontend does for FROM.
func (b *builder) loadImage(ctx context.Context, ref string, p ocispecs.Platform, at plan.Origin) (llb.Image, error) {
	loc := b.src.SourceMap.Location([]*pb.Range{llb.PBRange(at.At)})
	fail := func(err error) (llb.Image, error) {
		return llb.Image{}, withSource(spec.Wrap(err, b.src.Filename, at.At, ""), b.src.SourceMap)
	}
	resolveMode := b.bc.ImageResolveMode.String()
	nc, err := b.bc.NamedContext(ref, dockerui.ContextOpt{Platform: &p, ResolveMode: resolveMode})
	if err != nil {
		return fail(err)
	}
	if nc != nil {
		st, img, err := nc.Load(ctx)
		if err != nil {
			return fail(errors.Wrapf(err, "loading build context for %s", ref))
		}
		if st != nil {
			return llb.Image{State: *st, Config: img}, nil
		}
	}
	if ref == dockerui.EmptyImageName {
		return llb.Image{State: bk.Scratch()}, nil
	}

	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fail(err)
	}
	named = reference.TagNameOnly(named)
	resolved, dgst, dt, err := b.c.ResolveImageConfig(ctx, named.String(), sourceresolver.Opt{
		LogName:  "[internal] load metadata for " + named.String(),
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p, ResolveMode: resolveMode},
	})
	if err != nil {
		if at.Kind == plan.Preset {
			// the user never wrote this name: say where it came from. A
			// new error, not a wrap: BuildKit sends the daemon's own
			// status (and message) of a wrapped error back to the client
			return llb.Image{}, withSource(spec.Errorf(b.src.Filename, at.At, "image %s, chosen by %s, cannot be resolved: %v (write image: to use another)", ref, at, err), b.src.SourceMap)
		}
		// a new error for the same reason: the line and the fix reach the client
		return llb.Image{}, withSource(spec.Errorf(b.src.Filename, at.At, "image %s cannot be resolved: %v (check its name and tag, and that the registry has it)", ref, err), b.src.SourceMap)
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(dt, &img); err != nil {
		return fail(errors.Wrapf(err, "parsing the config of image %s", ref))
	}
	// a registry serving a single-platform image answers with it whatever
	// platform was asked for: building on it would ship an image whose
	// index says one platform and whose files are another's
	if got := (ocispecs.Platform{OS: img.OS, Architecture: img.Architecture, Variant: img.Variant}); img.Architecture != "" && !platforms.Only(p).Match(platforms.Normalize(got)) {
		return fail(errors.Errorf("image %s has no %s variant (it is %s): build for %s only, or use an image published for %s",
			ref, platforms.Format(p), platforms.Format(platforms.Normalize(got)), platforms.Format(platforms.Normalize(got)), platforms.Format(p)))
	}
	if resolved != named.String() {
		if named, err = reference.ParseNormalizedNamed(resolved); err != nil {
			return fail(err)
		}
	}
	if dgst != "" {
		if canonical, err := reference.WithDigest(named, dgst); err == nil {
			named = canonical
		}
	}
	st := bk.Image(named.String(), bk.Platform(p), b.bc.ImageResolveMode,
		bk.WithCustomName("[image] "+ref), loc)
	return llb.Image{State: st, Config: &img}, nil
}
