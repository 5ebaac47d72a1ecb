// Command stagefile is the Stagefile BuildKit frontend. Run by BuildKit (as
// the image a "# syntax=" line names) it serves the gateway API on stdio;
// run by a person it checks Stagefiles and prints their LLB.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"

	"github.com/stagefile/stagefile/frontend"
	"github.com/stagefile/stagefile/internal/startcheck"
	"github.com/stagefile/stagefile/spec"
)

// version and commit are set at build time (-ldflags "-X main.version=1.2.3
// -X main.commit=abc1234"); commit defaults to what the go command
// recorded of the checkout, when it did.
var (
	version = "dev"
	commit  = ""
)

// versionLine is what `stagefile version` prints: the frontend's version,
// the commit it was built from and the BuildKit it is built against.
func versionLine() string {
	c, bk := commit, "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
		for _, d := range info.Deps {
			if d.Path == "github.com/moby/buildkit" {
				bk = d.Version
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return fmt.Sprintf("stagefile %s (commit %s, BuildKit %s, %s)", version, c, bk, runtime.Version())
}

func main() {
	frontend.Version = version
	if len(os.Args) == 1 && os.Getenv("BUILDKIT_SESSION_ID") != "" {
		if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Build); err != nil {
			fmt.Fprintf(os.Stderr, "fatal error: %+v\n", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(runCLI(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `stagefile — a BuildKit frontend for tested application images

Usage:
  stagefile init [--app PATH | --all] [--force] [--preset NAME] [DIR]
                                                   write the smallest Stagefile for the app in DIR (default .):
                                                   its preset, the image the preset picks, and the outputs and
                                                   port the app's files tell; a TODO for what they do not.
                                                   In a workspace: --app apps/api writes apps/api/Stagefile,
                                                   --all one per app. Never replaces a file without --force
                                                   (and .dockerignore, written when missing, never)
  stagefile check [--context DIR] [FILE]           check a Stagefile, its preset applied (default ./Stagefile)
  stagefile plan [--context DIR] [--format yaml|json] [FILE]
                                                   print what will run: every command, file, cache and
                                                   release setting, and where each came from
  stagefile llb [--context DIR] [--target T] [FILE]
                                                   print the LLB of a target (pipe it to buildctl build)
  stagefile llb --plan PLAN.json [--target T]      print the LLB of a target of a stored plan
                                                   (what plan --format json wrote)
  stagefile bake [--context DIR] [--tag-prefix PREFIX] [DIR]
                                                   print a bake file (JSON) with a target per Stagefile
                                                   under DIR (default .), paths relative to DIR:
                                                   stagefile bake > docker-bake.json && docker buildx bake
  stagefile eject [--context DIR] [--platform P] [FILE] > Dockerfile
                                                   print the Stagefile as a Dockerfile the stock frontend
                                                   builds into the same targets; on stderr, what that
                                                   file does differently (--platform: whose platform
                                                   decisions it takes, default this machine's)
  stagefile schema                                 print the JSON Schema of the format (for editors)
  stagefile version

--context is the build context the preset reads (default: the Stagefile's
folder); give the workspace root for an app of a monorepo. --build-arg
NAME=VALUE sets a declared arg. Flags may come before or after FILE.

As a frontend, put "# syntax=docker.io/stagefile/stagefile:1" on the first line
of a Stagefile and run: docker build -f Stagefile .
`

func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return check(args[1:], stdout, stderr)
	case "plan":
		return printPlan(args[1:], stdout, stderr)
	case "llb":
		return printLLB(ctx, args[1:], stdout, stderr)
	case startcheck.Command:
		// run by release.check inside the release, not by people
		return startcheck.Run(args[1:], stdout, stderr)
	case "bake":
		return bake(args[1:], stdout, stderr)
	case "init":
		return initCommand(args[1:], stdout, stderr)
	case "eject":
		return ejectCmd(args[1:], stdout, stderr)
	case "schema":
		stdout.Write(spec.Schema)
		return 0
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}
