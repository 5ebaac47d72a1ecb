package frontend

import (
	"bufio"
	"bytes"
	"context"
	"path"
	"strconv"
	"strings"
	"sync"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// resolve turns the parsed Stagefile into a checked plan; a preset reads
// only the context files it names, and the runtime image's config and
// users when it needs them, for the first target platform.
func (b *builder) resolve(ctx context.Context, s *spec.Spec) (*plan.Plan, []*plan.Warning, error) {
	// each image's /etc/passwd is read once: the preset and the user
	// check both ask (resolving is single-threaded)
	users := map[string]func() ([]plan.User, error){}
	r := plan.Resolver{
		Providers: preset.Providers,
		BuildArgs: b.bc.BuildArgs,
		Packages:  b.bc.SBOM != nil,
		ReadFiles: func(names []string) (map[string][]byte, error) { return b.readContextFiles(ctx, s.Preset.Value, names) },
		Image: func(ref string) (*plan.ImageInfo, error) {
			img, err := b.resolveImage(ctx, ref, b.firstPlatform(), imageOrigin(s, ref))
			if err != nil {
				return nil, err
			}
			if users[ref] == nil {
				users[ref] = sync.OnceValues(func() ([]plan.User, error) { return b.imageUsers(ctx, img.State) })
			}
			return &plan.ImageInfo{Config: img.Config, Users: users[ref]}, nil
		},
	}
	return r.Resolve(s)
}

// imageOrigin is where an image a preset inspects comes from: the
// Stagefile's image or release.image line when written there, else the
// preset, which chose it.
func imageOrigin(s *spec.Spec, ref string) plan.Origin {
	for _, v := range []spec.String{s.Image, s.Release.Image} {
		if v.Written() && v.Value == ref {
			return plan.Origin{Kind: plan.Stagefile, At: v.At}
		}
	}
	return plan.Origin{Kind: plan.Preset, Preset: s.Preset.Value, At: s.Preset.At}
}

// readContextFiles fetches just the named files of the build context
// (.dockerignore applied), each within plan.MaxFileSize.
func (b *builder) readContextFiles(ctx context.Context, preset string, names []string) (map[string][]byte, error) {
	st, err := b.bc.MainContext(ctx, bk.IncludePatterns(names),
		bk.SharedKeyHint(dockerui.DefaultLocalNameContext+":preset"),
		dockerui.WithInternalName("load files for preset "+preset))
	if err != nil {
		return nil, err
	}
	ref, err := b.solve(ctx, *st, b.firstPlatform())
	if err != nil {
		return nil, errors.Wrap(err, "reading the build context for the preset")
	}
	files := map[string][]byte{}
	for _, name := range b.expand(ctx, ref, names) {
		st, err := ref.StatFile(ctx, client.StatRequest{Path: name})
		if err != nil || st.IsDir() {
			continue // a file the context does not have is simply absent
		}
		if st.Size > plan.MaxFileSize {
			return nil, errors.Wrapf(plan.ErrTooLarge, "%s is %d bytes, more than the %d a preset reads", name, st.Size, plan.MaxFileSize)
		}
		dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: name, Range: &client.FileRange{Length: plan.MaxFileSize}})
		if err != nil {
			return nil, errors.Wrapf(err, "reading %s", name)
		}
		files[name] = dt
	}
	return files, nil
}

// expand replaces each wildcard name by the paths it matches in ref (the
// transfer already held only what the names match), a folder level at a
// time, at most plan.MaxMatches per name.
func (b *builder) expand(ctx context.Context, ref client.Reference, names []string) []string {
	var out []string
	for _, name := range names {
		if !plan.HasWildcard(name) {
			out = append(out, name)
			continue
		}
		found := []string{""}
		segs := strings.Split(path.Clean(name), "/")
		for i, seg := range segs {
			var next []string
			for _, dir := range found {
				if !plan.HasWildcard(seg) {
					next = append(next, path.Join(dir, seg))
					continue
				}
				entries, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: path.Join("/", dir), IncludePattern: seg})
				if err != nil {
					continue // no such folder
				}
				for _, e := range entries {
					if e.IsDir() == (i < len(segs)-1) {
						next = append(next, path.Join(dir, path.Base(e.Path)))
					}
				}
			}
			if len(next) > plan.MaxMatches {
				next = next[:plan.MaxMatches]
			}
			found = next
		}
		out = append(out, found...)
	}
	return out
}

// maxPasswd bounds the /etc/passwd read from an image.
const maxPasswd = 1 << 20

// imageUsers lists the users of an image's /etc/passwd (the image is
// pulled for it; the conversion reuses it).
func (b *builder) imageUsers(ctx context.Context, st bk.State) ([]plan.User, error) {
	r, err := b.solve(ctx, st, b.firstPlatform())
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nil // scratch
	}
	dt, err := r.ReadFile(ctx, client.ReadRequest{Filename: "/etc/passwd", Range: &client.FileRange{Length: maxPasswd}})
	if err != nil {
		return nil, nil // no passwd: no users to pick
	}
	var users []plan.User
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 3 {
			continue
		}
		uid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		users = append(users, plan.User{Name: f[0], UID: uid})
	}
	return users, nil
}
