package eject

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

var amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// example is an example app's Stagefile and its build context.
type example struct {
	Name, Dir, File string
}

// examples lists every Stagefile under examples/, with its context as the
// CLI takes it: the example's folder (for a monorepo app, the workspace
// root).
func examples(t testing.TB) []example {
	root := filepath.Join("..", "examples")
	var out []example
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if d.Name() != "Stagefile" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		parts := strings.Split(rel, string(filepath.Separator))
		out = append(out, example{
			Name: strings.TrimSuffix(strings.Join(parts[:len(parts)-1], "-"), "-"),
			Dir:  filepath.Join(root, parts[0]),
			File: filepath.Join(parts[1:]...),
		})
		return nil
	})
	assert.NilError(t, err)
	assert.Assert(t, len(out) >= 10)
	return out
}

// resolve is the example's plan as `stagefile eject` resolves it: the
// preset reads the context (.dockerignore applied), no image is inspected.
func (ex example) resolve(t testing.TB) *plan.Plan {
	data, err := os.ReadFile(filepath.Join(ex.Dir, ex.File))
	assert.NilError(t, err)
	s, err := spec.Parse(filepath.ToSlash(filepath.Join("examples", filepath.Base(ex.Dir), ex.File)), data)
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: preset.Providers,
		ReadFiles: func(names []string) (map[string][]byte, error) {
			return contextdir.ReadFilesIgnoring(ex.Dir, "", names)
		},
	}
	p, _, err := r.Resolve(s)
	assert.NilError(t, err)
	return p
}

// imageConfig is what the fake registry says of an image: the official
// images' PATH, and distroless images run as 65532.
func imageConfig(ref string) *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	img.Platform = amd64
	img.RootFS.Type = "layers"
	img.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	img.Config.Cmd = []string{"base-cmd"}
	if strings.Contains(ref, "distroless") {
		img.Config.User = "65532"
		img.Config.Entrypoint = []string{"/base-entrypoint"}
	}
	img.Config.Labels = map[string]string{"base.label": "kept"}
	return img
}

type fakeResolver struct{}

func (fakeResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	dt, err := json.Marshal(imageConfig(ref))
	return ref, digest.FromBytes(dt), dt, err
}

// dockerfile is an ejected file converted by BuildKit's Dockerfile
// frontend, for one target: its LLB, its image config and the linter's
// findings.
type dockerfile struct {
	res      *dockerfile2llb.Result
	def      *pb.Definition
	warnings []string
}

func convertDockerfile(t testing.TB, dt []byte, target string, args map[string]string) (*dockerfile, error) {
	t.Helper()
	caps := pb.Caps.CapSet(pb.Caps.All())
	var warnings []string
	pl := amd64
	res, err := dockerfile2llb.Dockerfile2LLB(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config:         dockerui.Config{Target: target, BuildArgs: args},
		TargetPlatform: &pl,
		MetaResolver:   fakeResolver{},
		LLBCaps:        &caps,
		Warn: func(rule, _, _, msg string, _ []parser.Range) {
			warnings = append(warnings, rule+": "+msg)
		},
	})
	if err != nil {
		return nil, err
	}
	def, err := res.State.Marshal(context.Background(), bk.Platform(pl))
	assert.NilError(t, err)
	return &dockerfile{res: res, def: def.ToPB(), warnings: warnings}, nil
}

// converted is the converter's graph of the same plan, with the same fake
// images, for comparison.
func converted(t testing.TB, p *plan.Plan) *llb.Graph {
	t.Helper()
	images := map[string]llb.Image{}
	for _, ref := range []string{p.Image.Value, p.Release.Image.Value} {
		images[ref] = llb.Image{State: bk.Image(ref, bk.Platform(amd64)), Config: imageConfig(ref)}
	}
	g, err := llb.Convert(p, llb.Options{
		Platform: amd64,
		Images:   images,
		Context: func(include, exclude []string) (bk.State, error) {
			return bk.Local("context", bk.IncludePatterns(include), bk.ExcludePatterns(exclude)), nil
		},
	})
	assert.NilError(t, err)
	return g
}

func marshal(t testing.TB, st bk.State) *pb.Definition {
	t.Helper()
	def, err := st.Marshal(context.Background(), bk.Platform(amd64))
	assert.NilError(t, err)
	return def.ToPB()
}

// step is an exec op as both sides must run it: argv, working folder,
// user, environment (without build args, which the two scope
// differently) and mounts.
type step struct {
	Args   []string
	Cwd    string
	User   string
	Env    []string
	Mounts []string
}

func (s step) String() string {
	return fmt.Sprintf("%q cwd=%s user=%s\n    env %v\n    mounts %v", s.Args, s.Cwd, s.User, s.Env, s.Mounts)
}

// steps lists a definition's exec ops, by their argv. cacheID normalises
// a cache id (the Dockerfile frontend prefixes "/"), skip leaves env
// entries out.
func steps(t testing.TB, def *pb.Definition, cacheID func(string) string, skip func(string) bool) []step {
	t.Helper()
	var out []step
	for _, dt := range def.Def {
		var op pb.Op
		assert.NilError(t, op.UnmarshalVT(dt))
		ex, ok := op.Op.(*pb.Op_Exec)
		if !ok {
			continue
		}
		m := ex.Exec.Meta
		s := step{Args: m.Args, Cwd: m.Cwd, User: m.User}
		for _, e := range m.Env {
			if !skip(e) {
				s.Env = append(s.Env, e)
			}
		}
		sort.Strings(s.Env)
		for _, mnt := range ex.Exec.Mounts {
			var d string
			switch mnt.MountType {
			case pb.MountType_CACHE:
				d = fmt.Sprintf("%s cache id=%s sharing=%s", mnt.Dest, cacheID(mnt.CacheOpt.ID), mnt.CacheOpt.Sharing)
			case pb.MountType_SECRET:
				d = fmt.Sprintf("%s secret id=%s optional=%v", mnt.Dest, mnt.SecretOpt.ID, mnt.SecretOpt.Optional)
			case pb.MountType_TMPFS:
				d = mnt.Dest + " tmpfs"
			default:
				if mnt.Dest == "/" {
					continue
				}
				d = fmt.Sprintf("%s bind %s readonly=%v", mnt.Dest, mnt.Selector, mnt.Readonly)
			}
			s.Mounts = append(s.Mounts, d)
		}
		for _, se := range ex.Exec.Secretenv {
			s.Mounts = append(s.Mounts, fmt.Sprintf("env %s secret id=%s optional=%v", se.Name, se.ID, se.Optional))
		}
		sort.Strings(s.Mounts)
		out = append(out, s)
	}
	sortSteps(out)
	return out
}

func sortSteps(s []step) {
	sort.Slice(s, func(i, j int) bool { return strings.Join(s[i].Args, "\x00") < strings.Join(s[j].Args, "\x00") })
}

// shape lists a Dockerfile's stages and instructions as BuildKit's parser
// and instructions package read them: "stage: INSTRUCTION" each.
func shape(t testing.TB, dt []byte) []string {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(string(dt)))
	assert.NilError(t, err)
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	assert.NilError(t, err)
	var out []string
	for range metaArgs {
		out = append(out, "ARG")
	}
	for _, s := range stages {
		out = append(out, "FROM "+s.Name)
		for _, c := range s.Commands {
			out = append(out, s.Name+": "+strings.ToUpper(c.Name()))
		}
	}
	return out
}
