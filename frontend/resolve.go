package frontend

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/internal/contextdir"
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
// (.dockerignore applied) and reads them as the CLI reads a folder.
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
	return contextdir.ReadTree(&refTree{ctx: ctx, ref: ref}, names)
}

// refTree is a solved context, for contextdir.ReadTree.
type refTree struct {
	ctx context.Context
	ref client.Reference
}

func (r *refTree) ReadDir(dir, pattern string) ([]contextdir.Entry, error) {
	entries, err := r.ref.ReadDir(r.ctx, client.ReadDirRequest{Path: path.Join("/", dir), IncludePattern: pattern})
	if err != nil {
		return nil, err
	}
	out := make([]contextdir.Entry, len(entries))
	for i, e := range entries {
		out[i] = contextdir.Entry{Name: path.Base(e.GetPath()), Dir: e.IsDir()}
	}
	return out, nil
}

func (r *refTree) Stat(name string) (int64, bool, error) {
	st, err := r.ref.StatFile(r.ctx, client.StatRequest{Path: name})
	if err != nil {
		// the transfer held only what the names match: absent is absent
		return 0, false, fs.ErrNotExist
	}
	special := fs.ModeNamedPipe | fs.ModeSocket | fs.ModeDevice | fs.ModeCharDevice | fs.ModeIrregular
	return st.Size, !st.IsDir() && fs.FileMode(st.Mode)&special == 0, nil
}

func (r *refTree) ReadFile(name string, limit int64) ([]byte, error) {
	return r.ref.ReadFile(r.ctx, client.ReadRequest{Filename: name, Range: &client.FileRange{Length: int(limit)}})
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
