package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/spec"
)

// check parses and validates a Stagefile, printing errors and warnings as
// FILE:LINE:COL lines.
func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s, warnings, err := load(fileArg(fs))
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (version %d, image %s)\n", s.File(), s.Version, s.Image)
	return 0
}

// printLLB writes a target's marshalled definition, with base images left
// unresolved and the context as a local source named "context".
func printLLB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("llb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", llb.TargetRelease, "target to print")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s, _, err := load(fileArg(fs))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	p := platforms.Normalize(platforms.DefaultSpec())
	g, err := llb.Convert(s, llb.Options{
		Platform: p,
		Images: map[string]llb.Image{
			s.Image:         {State: bk.Image(s.Image, bk.Platform(p))},
			s.Release.Image: {State: bk.Image(s.Release.Image, bk.Platform(p))},
		},
		Context: func(include, exclude []string) (bk.State, error) {
			var opts []bk.LocalOption
			if include != nil {
				opts = append(opts, bk.IncludePatterns(include))
			}
			if exclude != nil {
				opts = append(opts, bk.ExcludePatterns(exclude))
			}
			return bk.Local("context", opts...), nil
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	t, ok := g.Targets[*target]
	if !ok {
		fmt.Fprintf(stderr, "unknown target %q\n", *target)
		return 2
	}
	def, err := t.State.Marshal(ctx, bk.Platform(p), bk.LocalUniqueID("stagefile-cli"))
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

func load(file string) (*spec.Spec, []*spec.Warning, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	return spec.Parse(file, data)
}
