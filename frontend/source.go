package frontend

import (
	"context"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/spec"
)

// context gives the build context through dockerui (local, git or http;
// .dockerignore applied). A restricted context (include set) is its own
// local transfer with its own shared key, so the small manifests transfer
// neither waits for nor evicts the full one.
func (b *builder) contextFunc(ctx context.Context) llb.ContextFunc {
	return func(include, exclude []string) (bk.State, error) {
		return b.context(ctx, include, exclude)
	}
}

func (b *builder) context(ctx context.Context, include, exclude []string) (bk.State, error) {
	var opts []bk.LocalOption
	if include != nil {
		opts = append(opts,
			bk.IncludePatterns(include),
			bk.SharedKeyHint(dockerui.DefaultLocalNameContext+":"+strings.Join(include, ",")),
			dockerui.WithInternalName("load build context: "+strings.Join(include, " ")))
	}
	if len(exclude) > 0 {
		ignored, err := b.bc.DockerIgnorePatterns(ctx)
		if err != nil {
			return bk.State{}, err
		}
		opts = append(opts, bk.ExcludePatterns(append(append([]string(nil), ignored...), exclude...)))
	}
	st, err := b.bc.MainContext(ctx, opts...)
	if err != nil {
		return bk.State{}, err
	}
	return *st, nil
}

// withSource attaches the Stagefile and the ranges of spec errors, so
// BuildKit clients print the offending lines under the message.
func withSource(err error, sm *bk.SourceMap) error {
	if err == nil || sm == nil {
		return err
	}
	var ranges []*pb.Range
	var list spec.Errors
	var one *spec.Error
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			ranges = append(ranges, llb.PBRange(e.Range))
		}
	case errors.As(err, &one):
		ranges = append(ranges, llb.PBRange(one.Range))
	default:
		return err
	}
	return errdefs.WithSource(err, &errdefs.Source{Info: sourceInfo(sm), Ranges: ranges})
}

func sourceInfo(sm *bk.SourceMap) *pb.SourceInfo {
	info := &pb.SourceInfo{Data: sm.Data, Filename: sm.Filename, Language: sm.Language}
	if sm.Definition != nil {
		info.Definition = sm.Definition.ToPB()
	}
	return info
}
