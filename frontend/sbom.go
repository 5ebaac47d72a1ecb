package frontend

import (
	"context"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/containerd/platforms"
	intoto "github.com/in-toto/in-toto-golang/in_toto"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/result"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/sbom"
)

// attachSBOM answers --sbom=true (attest:sbom) with the frontend's own
// SPDX document of the production packages: from the lockfile (npm, yarn,
// pnpm), else read from the release itself (a Python virtualenv's
// distributions, a Go binary's modules). No scanner image to pull, and
// the dev dependencies the tests used are not in it. Where it can tell
// neither, it leaves the SBOM to BuildKit's scanner.
func (b *builder) attachSBOM(ctx context.Context, rb *dockerui.ResultBuilder, target string) error {
	p := b.plan
	if target != llb.TargetRelease && target != llb.TargetDependencies {
		b.src.Warn(ctx, "SBOM: the frontend lists the packages of the release and dependencies targets; BuildKit's scanner makes this one", client.WarnOpts{})
		return nil
	}
	created := time.Now()
	if b.epoch != nil {
		created = *b.epoch
	}
	return rb.EachPlatform(ctx, func(ctx context.Context, id string, pl ocispecs.Platform) error {
		var pkgs []plan.Package
		from := p.Dependencies.PackagesFrom.From
		if p.Dependencies.PackagesFrom.Set() {
			// each platform's own: a native binary for one CPU ships there only
			for _, pkg := range p.Dependencies.Packages {
				if pkg.Arch == nil || slices.Contains(pkg.Arch, pl.Architecture) {
					pkgs = append(pkgs, pkg)
				}
			}
		} else {
			b.refsMu.Lock()
			ref := b.refs[platforms.Format(platforms.Normalize(pl))]
			b.refsMu.Unlock()
			var ok bool
			var err error
			if pkgs, from, ok, err = b.shippedPackages(ctx, ref); err != nil {
				return err
			} else if !ok {
				b.src.Warn(ctx, "SBOM: the frontend found no lockfile it reads, no Python virtualenv and no Go binary as the entrypoint; BuildKit's scanner makes this one", client.WarnOpts{})
				return nil
			}
		}
		dt, err := sbom.SPDX("release of "+b.src.Filename, "stagefile-"+Version, pkgs, created)
		if err != nil {
			return err
		}
		st := bk.Scratch().File(bk.Mkfile("/sbom.spdx.json", 0o444, dt), bk.WithCustomName("[release] SBOM: "+from))
		ref, err := b.solve(ctx, st, pl)
		if err != nil {
			return errors.Wrap(err, "writing the SBOM")
		}
		rb.AddAttestation(id, result.Attestation[client.Reference]{
			Kind:     gwpb.AttestationKind_InToto,
			Ref:      ref,
			Path:     "/sbom.spdx.json",
			InToto:   result.InTotoAttestation{PredicateType: intoto.PredicateSPDX},
			Metadata: map[string][]byte{result.AttestationReasonKey: []byte(result.AttestationReasonSBOM)},
		})
		return nil
	})
}

// maxMetadata bounds the part of a METADATA file read: its headers come
// first, the long description after them is not needed.
const maxMetadata = 64 << 10

// shippedPackages reads what the built image holds: the distributions in
// workdir's .venv (any Python package manager installs them there with
// the python preset), else the modules of the Go binary the release runs.
func (b *builder) shippedPackages(ctx context.Context, ref client.Reference) ([]plan.Package, string, bool, error) {
	if ref == nil {
		return nil, "", false, nil
	}
	wd := b.plan.Workdir.Value
	lib := path.Join(wd, ".venv", "lib")
	if pythons, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: lib, IncludePattern: "python*"}); err == nil {
		var pkgs []plan.Package
		for _, py := range pythons {
			site := path.Join(lib, py.GetPath(), "site-packages")
			dists, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: site, IncludePattern: "*.dist-info"})
			if err != nil {
				continue
			}
			for _, d := range dists {
				dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: path.Join(site, d.GetPath(), "METADATA"), Range: &client.FileRange{Length: maxMetadata}})
				if err != nil {
					continue
				}
				if pkg, ok := sbom.DistInfo(dt); ok {
					pkgs = append(pkgs, pkg)
				}
			}
		}
		if len(pkgs) > 0 {
			sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
			return pkgs, path.Join(wd, ".venv") + ", the installed distributions", true, nil
		}
	}
	r := b.plan.Release
	cmd := r.Cmd.Value
	if r.Entrypoint.Set() {
		cmd = r.Entrypoint.Value
	}
	if len(cmd) == 0 || strings.TrimSpace(cmd[0]) == "" {
		return nil, "", false, nil
	}
	bin := cmd[0]
	if !path.IsAbs(bin) {
		if !strings.Contains(bin, "/") {
			return nil, "", false, nil // found on PATH: the image's, not the app's
		}
		bin = path.Join(wd, bin)
	}
	if pkgs, ok := sbom.GoModules(&refReader{ctx: ctx, ref: ref, name: bin}); ok {
		return pkgs, bin + ", the Go binary's modules", true, nil
	}
	return nil, "", false, nil
}

// refReader reads a file of a result by ranges, for debug/buildinfo.
type refReader struct {
	ctx  context.Context
	ref  client.Reference
	name string
}

func (r *refReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || len(p) == 0 {
		return 0, nil
	}
	dt, err := r.ref.ReadFile(r.ctx, client.ReadRequest{Filename: r.name, Range: &client.FileRange{Offset: int(off), Length: len(p)}})
	if err != nil {
		return 0, err
	}
	n := copy(p, dt)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
