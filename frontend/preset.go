package frontend

import (
	"bufio"
	"bytes"
	"context"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/spec"
)

// complete applies the preset and returns every warning about the
// completed spec.
func (b *builder) complete(ctx context.Context) ([]*spec.Warning, error) {
	warnings, err := b.applyPreset(ctx)
	if err != nil {
		return warnings, err
	}
	return append(warnings, b.spec.Lint()...), nil
}

// applyPreset fills the fields a preset derives from the build context: it
// fetches only the files the preset reads, and the runtime image's users.
func (b *builder) applyPreset(ctx context.Context) ([]*spec.Warning, error) {
	names := b.spec.PresetFiles()
	if names == nil {
		return nil, nil
	}
	st, err := b.bc.MainContext(ctx, bk.IncludePatterns(names),
		bk.SharedKeyHint(dockerui.DefaultLocalNameContext+":preset"),
		dockerui.WithInternalName("load files for preset "+b.spec.Preset))
	if err != nil {
		return nil, err
	}
	ref, err := b.solve(ctx, *st, b.firstPlatform())
	if err != nil {
		return nil, errors.Wrap(err, "reading the build context for the preset")
	}
	files := spec.ContextFiles{}
	for _, name := range names {
		// a file the context does not have is simply absent
		if dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: name}); err == nil {
			files[name] = dt
		}
	}
	var users []string
	if !b.spec.Written("release.user") {
		if users, err = b.imageUsers(ctx, b.spec.Release.Image); err != nil {
			return nil, err
		}
	}
	return b.spec.ApplyNodePreset(files, users)
}

// imageUsers lists the user names in an image's /etc/passwd, for the
// platform the build targets (the resolution is reused by the conversion).
func (b *builder) imageUsers(ctx context.Context, ref string) ([]string, error) {
	p := b.firstPlatform()
	img, err := b.resolveImage(ctx, ref, p, "release.image")
	if err != nil {
		return nil, err
	}
	r, err := b.solve(ctx, img.State, p)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nil // scratch
	}
	dt, err := r.ReadFile(ctx, client.ReadRequest{Filename: "/etc/passwd"})
	if err != nil {
		return nil, nil // no passwd: no users to pick
	}
	var users []string
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), ":"); ok {
			users = append(users, name)
		}
	}
	return users, nil
}
