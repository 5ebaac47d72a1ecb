package frontend

import (
	"context"
	"slices"
	"time"

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
// SPDX document of the production packages the lockfile pins: no scanner
// image to pull, and the dev dependencies the tests used are not in it.
// Without a lockfile it knows, it leaves the SBOM to BuildKit's scanner.
func (b *builder) attachSBOM(ctx context.Context, rb *dockerui.ResultBuilder, target string) error {
	p := b.plan
	if !p.Dependencies.PackagesFrom.Set() || (target != llb.TargetRelease && target != llb.TargetDependencies) {
		b.src.Warn(ctx, "SBOM: the frontend lists the packages of the release and dependencies targets from their lockfile; BuildKit's scanner makes this one", client.WarnOpts{})
		return nil
	}
	created := time.Now()
	if b.epoch != nil {
		created = *b.epoch
	}
	return rb.EachPlatform(ctx, func(ctx context.Context, id string, pl ocispecs.Platform) error {
		// each platform's own: a native binary for one CPU ships there only
		var pkgs []plan.Package
		for _, pkg := range p.Dependencies.Packages {
			if pkg.Arch == nil || slices.Contains(pkg.Arch, pl.Architecture) {
				pkgs = append(pkgs, pkg)
			}
		}
		dt, err := sbom.SPDX("release of "+b.src.Filename, "stagefile-"+Version, pkgs, created)
		if err != nil {
			return err
		}
		st := bk.Scratch().File(bk.Mkfile("/sbom.spdx.json", 0o444, dt), bk.WithCustomName("[release] SBOM: "+p.Dependencies.PackagesFrom.From))
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
