package frontend

import (
	"context"

	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// listTargets answers `docker buildx build --call targets`.
func (b *builder) listTargets(context.Context) (*targets.List, error) {
	p := b.plan
	list := &targets.List{Sources: [][]byte{b.src.Data}}
	for _, t := range llb.Targets {
		base, at := p.Image.Value, p.Image.Origin.At
		switch t.Name {
		case llb.TargetRelease:
			base, at = p.Release.Image.Value, p.Release.At
		case llb.TargetTest:
			at = p.Test.At
		case llb.TargetBuild:
			at = p.Build.At
		case llb.TargetDependencies:
			at = p.Dependencies.At
		}
		list.Targets = append(list.Targets, targets.Target{
			Name:        t.Name,
			Default:     t.Name == llb.TargetRelease,
			Description: t.Description,
			Base:        base,
			Location:    location(at),
		})
	}
	return list, nil
}

// outline answers `docker buildx build --call outline`: the build args,
// secrets and caches the target uses, from the resolved plan (a preset's
// caches included).
func (b *builder) outline(context.Context) (*outline.Outline, error) {
	p := b.plan
	o := &outline.Outline{
		Name:    b.bc.Target,
		Sources: [][]byte{b.src.Data},
		Args: []outline.Arg{
			{Name: argSkipTests, Description: "skip the test step; the image is then untested", Value: "false"},
			{Name: argEpoch, Description: "the release's creation time, in seconds since 1970 (or \"context\" for the commit's); with the exporter's rewrite-timestamp=true the build is reproducible"},
		},
	}
	for _, a := range p.Args {
		o.Args = append(o.Args, outline.Arg{Name: a.Name, Description: a.Description, Value: a.Value, Location: location(a.Origin.At)})
	}
	if o.Name == "" {
		o.Name = llb.TargetRelease
	}
	for _, t := range llb.Targets {
		if t.Name == o.Name {
			o.Description = t.Description
		}
	}
	for _, sec := range p.Secrets {
		o.Secrets = append(o.Secrets, outline.Secret{Name: sec.ID.Value, Required: sec.Required, Location: location(sec.Origin.At)})
	}
	caches := p.Dependencies.Caches
	if o.Name != llb.TargetDependencies && o.Name != llb.TargetDevelopment {
		// every other target runs the tests (and release and build the build)
		caches = append(append(append([]plan.Cache{}, caches...), p.Test.Caches...), p.Build.Caches...)
	}
	for _, c := range caches {
		o.Cache = append(o.Cache, outline.CacheMount{ID: c.CacheID(), Location: location(c.Origin.At)})
	}
	return o, nil
}

// lintResults answers `docker buildx build --call check`: every warning
// about the resolved plan, with its rule's description and docs, without
// building anything.
func (b *builder) lintResults(warnings []*plan.Warning) *lint.LintResults {
	res := &lint.LintResults{}
	idx := res.AddSource(b.src.SourceMap)
	for _, w := range warnings {
		if b.lint.Skips(w.Rule) {
			continue
		}
		res.Warnings = append(res.Warnings, lint.Warning{
			RuleName:    w.Rule.Name,
			Description: w.Rule.Description,
			URL:         w.Rule.URL,
			Detail:      w.Msg,
			Location:    &pb.Location{SourceIndex: int32(idx), Ranges: []*pb.Range{llb.PBRange(w.Range)}},
		})
	}
	return res
}

func location(r spec.Range) *pb.Location {
	return &pb.Location{Ranges: []*pb.Range{llb.PBRange(r)}}
}
