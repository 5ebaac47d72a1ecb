package frontend

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/gateway/client"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// defaultPath is the PATH a container gets when its image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// checkStart fails a release whose command names a program or a script it
// does not have: a typo in the start file, a build tool (a package
// manager) that only the build image had, a build output run by its bare
// name. The image would build and then die at docker run. Which file an
// interpreter runs, the presets tell.
func (b *builder) checkStart(ctx context.Context, ref client.Reference, img *dockerspec.DockerOCIImage) error {
	if ref == nil || img == nil {
		return nil
	}
	c := img.Config
	argv := append(append([]string{}, c.Entrypoint...), c.Cmd...)
	if len(argv) == 0 || argv[0] == "" {
		return nil
	}
	wd := c.WorkingDir
	if wd == "" {
		wd = "/"
	}
	exists := func(p string) bool {
		_, err := ref.StatFile(ctx, client.StatRequest{Path: p})
		return err == nil
	}
	// which Stagefile field wrote argv[i]
	r := b.plan.Release
	at := func(i int) plan.Origin {
		n := len(c.Entrypoint)
		if i < n && r.Entrypoint.Set() {
			return r.Entrypoint.Origin
		}
		if i >= n && r.Cmd.Set() {
			return r.Cmd.Origin
		}
		return plan.Origin{At: r.At}
	}
	fail := func(i int, format string, args ...any) error {
		return withSource(spec.Errorf(b.plan.File, at(i).At, format, args...), b.src.SourceMap)
	}
	// the names come from the context's manifests, the image and the build's files:
	// no control characters reach the user's terminal
	q := func(s string) string { return spec.Printable(s, spec.ValueLimit) }

	prog := argv[0]
	switch {
	case path.IsAbs(prog):
		if !exists(prog) {
			return fail(0, "the release starts %s, which it does not have (write a program the runtime image has, or the path of a build output)", q(prog))
		}
	case strings.Contains(prog, "/"):
		if !exists(path.Join(wd, prog)) {
			return fail(0, "the release starts %s, and %s is not in it%s", q(prog), q(path.Join(wd, prog)), b.nearby(ctx, ref, path.Join(wd, prog)))
		}
	default:
		pathEnv := defaultPath
		for _, e := range c.Env {
			if v, ok := strings.CutPrefix(e, "PATH="); ok {
				pathEnv = v
			}
		}
		found := false
		for _, dir := range strings.Split(pathEnv, ":") {
			if dir != "" && exists(path.Join(dir, prog)) {
				found = true
				break
			}
		}
		if !found {
			return fail(0, "the release starts %s, which is not on its PATH (%s): tools the build steps had (a package manager, dev dependencies) are not in the release (start the app with what the runtime image has, or a build output as ./name)", q(prog), q(pathEnv))
		}
	}

	i, suffixes, ok := preset.Providers.Script(argv)
	if !ok {
		return nil
	}
	script := argv[i]
	file := script
	if !path.IsAbs(file) {
		file = path.Join(wd, file)
	}
	for _, s := range suffixes {
		if exists(file + s) {
			return nil
		}
	}
	return fail(i, "the release runs %s %s, and %s is not in it%s", q(path.Base(prog)), q(script), q(file), b.nearby(ctx, ref, file))
}

// nearby lists what the folder a missing file was looked for in holds,
// for the error: the build wrote the file under another name or folder.
func (b *builder) nearby(ctx context.Context, ref client.Reference, file string) string {
	q := func(s string) string { return spec.Printable(s, spec.ValueLimit) }
	dir := path.Dir(file)
	entries, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: dir})
	if err != nil {
		return fmt.Sprintf(" (nor is %s: list what the build writes under build.outputs, e.g. build.outputs: [%s])", q(dir), q(firstSegment(dir, b.plan.Workdir.Value)))
	}
	var names []string
	for _, e := range entries {
		names = append(names, q(e.GetPath()))
	}
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:8], "...")
	}
	if len(names) == 0 {
		return fmt.Sprintf(" (%s is empty)", q(dir))
	}
	return fmt.Sprintf(" (%s has %s)", q(dir), strings.Join(names, ", "))
}

// firstSegment is dir's first folder under workdir, for an example of
// build.outputs: /app/dist/server → dist.
func firstSegment(dir, workdir string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(path.Clean(dir), path.Clean(workdir)), "/")
	first, _, _ := strings.Cut(rel, "/")
	if first == "" {
		return "dist"
	}
	return first
}
