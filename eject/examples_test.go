package eject

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
)

// TestExamples: every example's ejected Dockerfile, and what eject says
// of it, as golden files (go test ./eject -update rewrites them).
func TestExamples(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			p := ex.resolve(t)
			res, err := Write(p, Options{Platform: amd64, BuildPlatform: amd64, Version: "test"})
			assert.NilError(t, err)
			golden.Assert(t, string(res.Dockerfile), ex.Name+".Dockerfile")
			var notes strings.Builder
			for _, n := range res.Notes {
				notes.WriteString(n.String() + "\n")
				line := strings.Split(string(res.Dockerfile), "\n")[n.Line-1]
				assert.Check(t, strings.HasPrefix(line, "# eject: "), "note %q points at line %d: %q", n.Msg, n.Line, line)
			}
			golden.Assert(t, notes.String(), ex.Name+".notes")
		})
	}
}

// TestExamplesConvert: BuildKit's Dockerfile frontend converts every
// example's ejected file for every target, its linter finds nothing, and
// the targets are the Stagefile's, in its order.
func TestExamplesConvert(t *testing.T) {
	var names []string
	for _, tg := range llb.Targets {
		names = append(names, tg.Name)
	}
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			p := ex.resolve(t)
			res, err := Write(p, Options{Platform: amd64, BuildPlatform: amd64})
			assert.NilError(t, err)
			var stages []string
			for _, s := range shape(t, res.Dockerfile) {
				if name, ok := strings.CutPrefix(s, "FROM "); ok && !strings.HasPrefix(name, "test-run") && !strings.HasPrefix(name, "test-gate") {
					stages = append(stages, name)
				}
			}
			assert.Check(t, is.DeepEqual(stages, names))
			for _, target := range names {
				d, err := convertDockerfile(t, res.Dockerfile, target, nil)
				assert.NilError(t, err, target)
				assert.Check(t, is.Len(d.warnings, 0), "%s: the Dockerfile linter: %v", target, d.warnings)
			}
		})
	}
}

// TestExamplesRunTheSameSteps: the ejected release runs every step the
// converter's release runs, with the same command, folder, user,
// environment and mounts (cache ids and sharing, secrets, config files,
// the tmpfs at /tmp), and has the same image config.
func TestExamplesRunTheSameSteps(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			p := ex.resolve(t)
			res, err := Write(p, Options{Platform: amd64, BuildPlatform: amd64})
			assert.NilError(t, err)
			d, err := convertDockerfile(t, res.Dockerfile, llb.TargetRelease, nil)
			assert.NilError(t, err)
			g := converted(t, p)

			isArg := func(e string) bool {
				name, _, _ := strings.Cut(e, "=")
				for _, a := range p.Args {
					if a.Name == name {
						return true
					}
				}
				for _, a := range plan.PlatformArgs {
					if a == name {
						return true
					}
				}
				return false
			}
			want := steps(t, marshal(t, g.Targets[llb.TargetRelease].State), func(id string) string { return id }, isArg)
			got := steps(t, d.def, func(id string) string { return strings.TrimPrefix(id, "/") }, isArg)
			// the test step with reports creates the status folder the
			// converter mounts
			for i := range got {
				if len(got[i].Args) > 2 {
					got[i].Args[2] = strings.TrimPrefix(got[i].Args[2], "mkdir -p "+llb.StatusDir+" && ")
				}
			}
			for i := range want {
				var mounts []string
				for _, m := range want[i].Mounts {
					if !strings.HasPrefix(m, llb.StatusDir+" ") {
						mounts = append(mounts, m)
					}
				}
				want[i].Mounts = mounts
			}
			sortSteps(got)
			assert.Check(t, is.DeepEqual(got, want))

			// the release config
			wantImg, gotImg := g.Targets[llb.TargetRelease].Image.Config, d.res.Image.Config
			assert.Check(t, is.DeepEqual(gotImg.Env, wantImg.Env))
			assert.Check(t, is.Equal(gotImg.User, wantImg.User))
			assert.Check(t, is.Equal(gotImg.WorkingDir, wantImg.WorkingDir))
			assert.Check(t, is.DeepEqual(gotImg.Entrypoint, wantImg.Entrypoint))
			assert.Check(t, is.DeepEqual(gotImg.Cmd, wantImg.Cmd))
			assert.Check(t, is.DeepEqual(gotImg.ExposedPorts, wantImg.ExposedPorts))
			assert.Check(t, is.DeepEqual(gotImg.Labels, wantImg.Labels))
			assert.Check(t, is.DeepEqual(gotImg.Healthcheck, wantImg.Healthcheck))
			assert.Check(t, is.Equal(gotImg.StopSignal, wantImg.StopSignal))
		})
	}
}
