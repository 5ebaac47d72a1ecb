package frontend

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/spec"
)

// listTargets answers `docker buildx build --call targets`.
func (b *builder) listTargets(context.Context) (*targets.List, error) {
	s := b.spec
	list := &targets.List{Sources: [][]byte{b.src.Data}}
	for _, t := range llb.Targets {
		base, at := s.Image, "image"
		switch t.Name {
		case llb.TargetRelease:
			base, at = s.Release.Image, "release"
		case llb.TargetTest, llb.TargetBuild:
			at = t.Name
		case llb.TargetDependencies:
			at = "dependencies"
		}
		list.Targets = append(list.Targets, targets.Target{
			Name:        t.Name,
			Default:     t.Name == llb.TargetRelease,
			Description: t.Description,
			Base:        base,
			Location:    b.location(at),
		})
	}
	return list, nil
}

// outline answers `docker buildx build --call outline`: the secrets and
// caches a target uses and the build args it reads.
func (b *builder) outline(context.Context) (*outline.Outline, error) {
	s := b.spec
	o := &outline.Outline{
		Name:    b.bc.Target,
		Sources: [][]byte{b.src.Data},
		Args: []outline.Arg{{
			Name:        "STAGEFILE_SKIP_TESTS",
			Description: "skip the test step; the image is then untested",
			Value:       "false",
		}},
	}
	if o.Name == "" {
		o.Name = llb.TargetRelease
	}
	for _, t := range llb.Targets {
		if t.Name == o.Name {
			o.Description = t.Description
		}
	}
	for i, sec := range s.Secrets {
		o.Secrets = append(o.Secrets, outline.Secret{Name: sec.ID, Required: sec.Required, Location: b.location(secretPath(i))})
	}
	for _, c := range s.Dependencies.Caches {
		id := c.ID
		if id == "" {
			id = c.Path
		}
		o.Cache = append(o.Cache, outline.CacheMount{ID: id, Location: b.location("dependencies.caches")})
	}
	return o, nil
}

// lint answers `docker buildx build --call check`: every warning about
// the spec, the preset applied, without building anything.
func (b *builder) lint(ctx context.Context, parsed []*spec.Warning) (*lint.LintResults, error) {
	more, err := b.complete(ctx)
	if err != nil {
		return nil, withSource(err, b.src.SourceMap)
	}
	res := &lint.LintResults{}
	idx := res.AddSource(b.src.SourceMap)
	for _, w := range append(parsed, more...) {
		res.Warnings = append(res.Warnings, lint.Warning{
			RuleName:    w.Rule,
			Description: w.Msg,
			Detail:      w.Msg,
			Location:    &pb.Location{SourceIndex: int32(idx), Ranges: []*pb.Range{llb.PBRange(w.Range)}},
		})
	}
	return res, nil
}

func (b *builder) location(at string) *pb.Location {
	return &pb.Location{Ranges: []*pb.Range{llb.PBRange(b.spec.Span(at))}}
}

func secretPath(i int) string {
	return fmt.Sprintf("secrets[%d]", i)
}
