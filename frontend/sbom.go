package frontend

import (
	"context"
	"slices"
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
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/sbom"
)

// attachSBOM answers --sbom=true (attest:sbom) with the frontend's own
// SPDX document of the production packages: from the lockfile, else read
// from the release itself by the presets (installed distributions, a
// binary's modules). No scanner image to pull, and
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
				b.src.Warn(ctx, "SBOM: no preset could list the release's packages (from a lockfile it reads, installed metadata or the binary it starts); BuildKit's scanner makes this one", client.WarnOpts{})
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

// shippedPackages asks the presets what the built release holds (the
// distributions of a virtualenv, a binary's modules).
func (b *builder) shippedPackages(ctx context.Context, ref client.Reference) ([]plan.Package, string, bool, error) {
	if ref == nil {
		return nil, "", false, nil
	}
	return preset.Providers.Shipped(b.plan, &releaseFS{ctx: ctx, ref: ref})
}

// releaseFS reads a solved result's files for the presets.
type releaseFS struct {
	ctx context.Context
	ref client.Reference
}

func (r *releaseFS) ReadDir(dir, pattern string) ([]string, error) {
	entries, err := r.ref.ReadDir(r.ctx, client.ReadDirRequest{Path: dir, IncludePattern: pattern})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.GetPath()
	}
	return names, nil
}

func (r *releaseFS) ReadFile(name string, offset, length int) ([]byte, error) {
	return r.ref.ReadFile(r.ctx, client.ReadRequest{Filename: name, Range: &client.FileRange{Offset: offset, Length: length}})
}
