package llb

import (
	"context"
	"testing"

	bk "github.com/moby/buildkit/client/llb"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzConvert: any Stagefile that resolves converts and marshals every
// target within the fuzz budget, and never panics.
func FuzzConvert(f *testing.F) {
	f.Add("version: 1\nimage: node:20\ntest:\n  run: npm test\nbuild:\n  run: x\n  outputs: [dist, \"a/*.js\"]\n")
	f.Add("version: 1\nimage: node:20\nworkdir: /srv\ndependencies:\n  manifests: [package.json]\n  config: [.npmrc]\n  production: npm ci\n  caches: [/root/.npm]\nsecrets: [{id: a}, {id: b, env: B}]\ntest:\n  run: t\n  reports: [r.xml]\nrelease:\n  image: busybox\n  entrypoint: []\n  expose: [80, 53/udp]\n  labels: {a: b}\n")
	f.Add("version: 1\nimage: node:20\nenv: &e {A: \"\\e[2J\"}\nrelease:\n  env: *e\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := spec.Parse("Stagefile", []byte(src))
		if err != nil {
			return
		}
		p, _, err := plan.Resolver{}.Resolve(s)
		if err != nil {
			return
		}
		bounded.Run(t, bounded.Fuzz, func() {
			g, err := Convert(p, options(p, localContext))
			if err != nil {
				return
			}
			for _, tg := range g.Targets {
				if _, err := tg.State.Marshal(context.Background(), bk.Platform(linuxAMD64), bk.LocalUniqueID("fuzz")); err != nil {
					t.Fatalf("a resolved plan does not marshal: %v", err)
				}
			}
		})
	})
}
