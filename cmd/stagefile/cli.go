package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/frontend"
	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// command is one CLI command's flags and what it does with them.
type command struct {
	fs        *flag.FlagSet
	context   *string
	buildArgs buildArgs
	// operand is what the one argument names, for messages ("Stagefile").
	operand string
}

func newCommand(name string, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &command{fs: fs, buildArgs: buildArgs{}, operand: "Stagefile"}
	c.context = fs.String("context", "", "the build context the preset reads (default: the Stagefile's folder)")
	fs.Var(c.buildArgs, "build-arg", "NAME=VALUE, as docker build --build-arg (repeatable)")
	return c
}

// buildArgs collects --build-arg NAME=VALUE flags.
type buildArgs map[string]string

func (b buildArgs) String() string { return "" }

func (b buildArgs) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return errors.Errorf("--build-arg %q: write NAME=VALUE", v)
	}
	b[name] = value
	return nil
}

// parse reads flags wherever they are on the command line ("llb FILE
// -target test" as well as "llb -target test FILE") and returns the one
// optional file (or folder) argument ("" when none is given); anything
// else is an error, never ignored.
func (c *command) parse(args []string) (string, error) {
	var files []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return "", err
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			files = append(files, rest...) // after "--" everything is a file
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	switch len(files) {
	case 0:
		return "", nil
	case 1:
		return files[0], nil
	}
	return "", errors.Errorf("one %s at a time, not %d: %s", c.operand, len(files), strings.Join(files, " "))
}

// resolve reads and resolves the Stagefile file (default ./Stagefile),
// with its preset reading the context directory (.dockerignore applied).
// Images are not inspected: what a preset would read from them is decided
// at build time. The warnings are those its "# check=" line shows, and
// the error includes what fails the build (of the release target when
// release is set), as in the frontend.
func (c *command) resolve(file string, release bool) (*plan.Plan, []*plan.Warning, error) {
	if file == "" {
		file = frontend.DefaultFilename
	}
	data, err := readBounded(file, int64(spec.DefaultLimits.Size), "a Stagefile")
	if err != nil {
		return nil, nil, err
	}
	s, err := spec.Parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	dir := *c.context
	if dir == "" {
		dir = defaultContext(file, s)
	}
	return resolveIn(dir, ignoreFile(file), data, s, c.buildArgs, release)
}

// resolveIn resolves the parsed Stagefile s (data, as read) with its
// preset reading the context folder dir, the ignore file (else dir's
// .dockerignore) applied: what check, plan and llb build on, and what
// init resolves the Stagefile it is about to write with.
func resolveIn(dir, ignore string, data []byte, s *spec.Spec, args map[string]string, release bool) (*plan.Plan, []*plan.Warning, error) {
	lint, err := frontend.LintConfig(data, nil)
	if err != nil {
		return nil, nil, err
	}
	r := plan.Resolver{
		Providers: preset.Providers,
		ReadFiles: func(names []string) (map[string][]byte, error) {
			return contextdir.ReadFilesIgnoring(dir, ignore, names)
		},
		BuildArgs: args,
	}
	p, warnings, err := r.Resolve(s)
	shown, lintErr := lint.Report(warnings, release)
	if err == nil {
		err = lintErr
	}
	if err != nil {
		return nil, shown, err
	}
	return p, shown, nil
}

// defaultContext is the Stagefile's folder, or, for an app of a
// workspace whose Stagefile sits in the app's folder (apps/api/Stagefile
// with "app: apps/api"), the workspace root.
func defaultContext(file string, s *spec.Spec) string {
	dir := filepath.Dir(file)
	if app := filepath.Clean(filepath.FromSlash(s.App.Value)); s.App.Written() && app != "." {
		if abs, err := filepath.Abs(dir); err == nil && strings.HasSuffix(abs, string(filepath.Separator)+app) {
			return strings.TrimSuffix(abs, string(filepath.Separator)+app)
		}
	}
	return dir
}

// ignoreFile is the Stagefile's own ignore file (Stagefile.dockerignore
// next to it), which BuildKit's dockerui prefers to the context's
// .dockerignore: "" when there is none.
func ignoreFile(stagefile string) string {
	f := stagefile + ".dockerignore"
	if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
		return f
	}
	return ""
}

// readBounded reads at most limit bytes of a file, and says so when there
// is more than what (a Stagefile) may have: stagefile check /dev/zero
// must not run out of memory. As BuildKit, it reads the file inside its
// folder: a symlink out of it is refused, never followed.
func readBounded(file string, limit int64, what string) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.Base(file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dt, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, errors.Wrapf(err, "reading %s", file)
	}
	if int64(len(dt)) > limit {
		return nil, errors.Errorf("%s: more than %d bytes, more than %s may have (is this the right file?)", file, limit, what)
	}
	return dt, nil
}

// check resolves a Stagefile, printing errors and warnings as
// FILE:LINE:COL lines.
func check(args []string, stdout, stderr io.Writer) int {
	c := newCommand("check", stderr)
	file, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	p, warnings, err := c.resolve(file, true)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (image %s, release on %s)\n", p.File, p.Image.Value, p.Release.Image.Value)
	return 0
}

// printPlan prints the resolved plan with the origin of every value.
func printPlan(args []string, stdout, stderr io.Writer) int {
	c := newCommand("plan", stderr)
	format := c.fs.String("format", "yaml", "yaml (origins as comments) or json")
	file, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	if *format != "yaml" && *format != "json" {
		return usageError(stderr, errors.Errorf("unknown format %q (use yaml or json)", *format))
	}
	p, warnings, err := c.resolve(file, true)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *format == "json" {
		stdout.Write(p.JSON())
		return 0
	}
	stdout.Write(p.YAML())
	if p.Preset.Set() {
		fmt.Fprintln(stdout, "# Images were not inspected (no daemon): what the preset reads from the runtime image (an\n"+
			"# unprivileged user, its entrypoint, its PATH) is decided at build time.")
	}
	return 0
}

// printLLB writes a target's marshalled definition, with base images left
// unresolved and the context as a local source named "context". The tests
// gate it as they gate the frontend's: `stagefile llb | buildctl build`
// fails when a test fails. With --plan it converts a stored plan (from
// `stagefile plan --format json`) instead of resolving a Stagefile.
func printLLB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCommand("llb", stderr)
	target := c.fs.String("target", llb.TargetRelease, "target to print")
	stored := c.fs.String("plan", "", "a stored plan (stagefile plan --format json) to convert instead of a Stagefile")
	file, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	known := false
	for _, t := range llb.Targets {
		known = known || t.Name == *target
	}
	if !known {
		return usageError(stderr, errors.Errorf("unknown target %q", *target))
	}
	var p *plan.Plan
	if *stored != "" {
		// the stored plan was resolved with its context and args already
		if file != "" || *c.context != "" || len(c.buildArgs) > 0 {
			return usageError(stderr, errors.New("--plan is a resolved build: give no Stagefile, --context or --build-arg with it"))
		}
		p, err = readPlan(*stored)
	} else {
		p, _, err = c.resolve(file, *target == llb.TargetRelease)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	pl := platforms.Normalize(platforms.DefaultSpec())
	g, err := llb.Convert(p, llb.Options{
		Platform: pl,
		Images: map[string]llb.Image{
			p.Image.Value:         {State: bk.Image(p.Image.Value, bk.Platform(pl))},
			p.Release.Image.Value: {State: bk.Image(p.Release.Image.Value, bk.Platform(pl))},
		},
		Context: localContext,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	def, err := g.Targets[*target].State.Marshal(ctx, bk.Platform(pl), bk.LocalUniqueID("stagefile-cli"))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := bk.WriteTo(def, stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// localContext is the build context as a local source named "context".
func localContext(include, exclude []string) (bk.State, error) {
	var opts []bk.LocalOption
	if include != nil {
		opts = append(opts, bk.IncludePatterns(include), bk.SharedKeyHint("context:"+strings.Join(include, ",")))
	}
	if exclude != nil {
		opts = append(opts, bk.ExcludePatterns(exclude))
	}
	return bk.Local("context", opts...), nil
}

// readPlan reads a stored plan.
func readPlan(file string) (*plan.Plan, error) {
	data, err := readBounded(file, plan.MaxStoredSize, "a stored plan")
	if err != nil {
		return nil, err
	}
	p, err := plan.Read(data, preset.Providers.Ecosystems())
	if err != nil {
		return nil, errors.Wrap(err, file)
	}
	return p, nil
}

func usageError(stderr io.Writer, err error) int {
	if !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "stagefile:", err)
	}
	return 2
}
