package llb

import (
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/plan"
)

// Build is the conversion of a whole build: a graph per target platform.
// On a platform other than the build platform, the installs run natively
// on the build platform when the preset says (or the cross-install check
// finds) that gives the same files, the downloads of dependencies.fetch
// run there once, and the tests or the build run once there when the
// Stagefile says so (test.platforms, build.platforms: build). It is all
// decided here, from the plan and the inputs the frontend gathers: the
// images (Images lists them) and the check's verdict (CrossCheck).
type Build struct {
	Plan *plan.Plan
	// Platforms are the target platforms, in order.
	Platforms []ocispecs.Platform
	// BuildPlatform is where steps run natively.
	BuildPlatform ocispecs.Platform
	// Options are every platform's; Platform, Images and BuildPlatform
	// are set per platform.
	Options Options
}

// ImageKey names an image resolved for a platform.
type ImageKey struct {
	Ref      string
	Platform string // platforms.Format
}

// Images are the images the build needs, each on its platform, in a
// stable order: the frontend resolves them (in parallel) for Convert.
func (b Build) Images() []ImageKey {
	var keys []ImageKey
	seen := map[ImageKey]bool{}
	add := func(ref string, p ocispecs.Platform) {
		k := ImageKey{Ref: ref, Platform: platforms.Format(p)}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, p := range b.Platforms {
		add(b.Plan.Image.Value, p)
		add(b.Plan.Release.Image.Value, p)
		if b.foreign(p) && b.needsNative(p) {
			// the build platform's own graph, for what p takes from it
			add(b.Plan.Image.Value, b.BuildPlatform)
			add(b.Plan.Release.Image.Value, b.BuildPlatform)
		}
	}
	return keys
}

// foreign: p is a target platform other than the build platform.
func (b Build) foreign(p ocispecs.Platform) bool {
	return !platforms.Only(b.BuildPlatform).Match(p)
}

// needsNative: p takes something from the build platform.
func (b Build) needsNative(p ocispecs.Platform) bool {
	d := b.Plan.Dependencies
	_, cross := crossEnv(d.Cross, p)
	return cross || d.Fetch != nil || b.sharesSteps()
}

// sharesSteps: the tests or the build run once, on the build platform.
func (b Build) sharesSteps() bool {
	p := b.Plan
	return p.Test.Run != nil && p.Test.Platforms.Value == plan.BuildPlatform ||
		p.Build.Run != nil && p.Build.Platforms.Value == plan.BuildPlatform
}

func crossEnv(c *plan.CrossInstall, p ocispecs.Platform) ([]plan.Var, bool) {
	if c == nil {
		return nil, false
	}
	env, ok := c.Env[p.Architecture]
	return env, ok
}

// CrossCheckReasons is the file, in the state CrossCheck returns, that
// lists why the install would differ on another platform.
const CrossCheckReasons = "/reasons"

// CrossCheck is the state to solve before Convert when the cross-install
// decision is made at build time: the plan's check run in the build
// platform's development install; it holds CrossCheckReasons. ok is false
// when no platform of the build needs the check.
func (b Build) CrossCheck(images map[ImageKey]Image) (st bk.State, ok bool, err error) {
	c := b.Plan.Dependencies.Cross
	if c == nil || len(c.Check) == 0 {
		return bk.State{}, false, nil
	}
	for _, p := range b.Platforms {
		if _, cross := crossEnv(c, p); cross && b.foreign(p) {
			ok = true
		}
	}
	if !ok {
		return bk.State{}, false, nil
	}
	g, err := b.convert(b.BuildPlatform, images, b.nativeNames())
	if err != nil {
		return bk.State{}, false, err
	}
	args := append(append([]string{}, c.Check...), "/stagefile/check"+CrossCheckReasons)
	return g.Installed.Run(bk.Args(args), bk.WithCustomName("[development] would this install differ on another platform?"),
		bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs())).AddMount("/stagefile/check", bk.Scratch()), true, nil
}

// CrossVerdict reads CrossCheckReasons: why the install would differ on
// another platform, "" when it would not.
func CrossVerdict(reasons []byte) string {
	lines := strings.Split(strings.TrimSpace(string(reasons)), "\n")
	switch {
	case lines[0] == "":
		return ""
	case len(lines) == 1:
		return clean(lines[0])
	default:
		return clean(fmt.Sprintf("%s, and %d more", lines[0], len(lines)-1))
	}
}

// Convert converts the plan for every target platform, by
// platforms.Format. verdict is what the cross-install check found (""
// when it found nothing, or did not run).
func (b Build) Convert(images map[ImageKey]Image, verdict string) (map[string]*Graph, error) {
	var native *Graph
	if b.sharesSteps() {
		for _, p := range b.Platforms {
			if b.foreign(p) {
				g, err := b.convert(b.BuildPlatform, images, b.nativeNames())
				if err != nil {
					return nil, err
				}
				native = g
				break
			}
		}
	}
	out := map[string]*Graph{}
	for _, p := range b.Platforms {
		m := multiPlatform{named: len(b.Platforms) > 1}
		if b.foreign(p) {
			d := b.Plan.Dependencies
			if env, ok := crossEnv(d.Cross, p); d.Cross != nil {
				why := d.Cross.Why
				if ok && len(d.Cross.Check) > 0 && verdict != "" {
					ok, why = false, verdict
				}
				if ok {
					img, err := image(images, b.Plan.Image.Value, b.BuildPlatform)
					if err != nil {
						return nil, err
					}
					m.install = &Install{Platform: b.BuildPlatform, Image: img, Env: env, Why: why}
				} else {
					m.emulated = why
				}
			}
			if d.Fetch != nil {
				img, err := image(images, b.Plan.Image.Value, b.BuildPlatform)
				if err != nil {
					return nil, err
				}
				m.native = &img
			}
			if native != nil {
				if b.Plan.Test.Run != nil && b.Plan.Test.Platforms.Value == plan.BuildPlatform {
					m.tests = native.Tests
				}
				if b.Plan.Build.Run != nil && b.Plan.Build.Platforms.Value == plan.BuildPlatform {
					m.built = &native.Built
				}
			}
		}
		g, err := b.convert(p, images, &m)
		if err != nil {
			return nil, err
		}
		out[platforms.Format(p)] = g
	}
	return out, nil
}

// nativeNames names the build platform's steps as its own platform's
// graph names them, had it one.
func (b Build) nativeNames() *multiPlatform {
	return &multiPlatform{named: len(b.Platforms) > 1}
}

// convert is Convert for one platform.
func (b Build) convert(p ocispecs.Platform, images map[ImageKey]Image, m *multiPlatform) (*Graph, error) {
	opt := b.Options
	opt.Platform = p
	bp := b.BuildPlatform
	opt.BuildPlatform = &bp
	opt.Images = map[string]Image{}
	for _, ref := range []string{b.Plan.Image.Value, b.Plan.Release.Image.Value} {
		img, err := image(images, ref, p)
		if err != nil {
			return nil, err
		}
		opt.Images[ref] = img
	}
	if m != nil {
		opt.multi = *m
	}
	return Convert(b.Plan, opt)
}

func image(images map[ImageKey]Image, ref string, p ocispecs.Platform) (Image, error) {
	img, ok := images[ImageKey{Ref: ref, Platform: platforms.Format(p)}]
	if !ok {
		return Image{}, errors.Errorf("image %q was not resolved for %s", ref, platforms.Format(p))
	}
	return img, nil
}
