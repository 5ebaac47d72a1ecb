package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/containerd/platforms"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/eject"
	"github.com/stagefile/stagefile/frontend"
)

// ejectCmd prints the resolved Stagefile as a Dockerfile for the stock
// Dockerfile frontend, and on stderr what that file does differently.
// An invalid Stagefile prints what `stagefile check` prints, and nothing
// on stdout.
func ejectCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("eject", stderr)
	platform := c.fs.String("platform", "", "the target platform whose decisions the Dockerfile takes (default: this machine's)")
	file, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	host := platforms.Normalize(platforms.DefaultSpec())
	target := host
	if *platform != "" {
		p, err := platforms.Parse(*platform)
		if err != nil {
			return usageError(stderr, errors.Wrap(err, "--platform"))
		}
		target = platforms.Normalize(p)
	}
	// every target is ejected: what fails only the Stagefile's release
	// target (no tests, a release that starts nothing) is a warning here,
	// and the ejected release builds as the Dockerfile says
	p, warnings, err := c.resolve(file, false)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if file == "" {
		file = frontend.DefaultFilename
	}
	res, err := eject.Write(p, eject.Options{
		Platform:      target,
		BuildPlatform: host,
		Version:       version,
		Source:        file,
		IgnoreFile:    ignoreFile(file),
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(c.buildArgs) > 0 {
		fmt.Fprintln(stderr, "eject: --build-arg values are not written into the Dockerfile: its ARG lines keep the Stagefile's defaults; pass them to the build")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stderr, "eject: %s\n", n)
	}
	if _, err := io.Copy(stdout, bytes.NewReader(res.Dockerfile)); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
