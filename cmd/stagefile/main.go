// Command stagefile is the Stagefile BuildKit frontend. Run by BuildKit (as
// the image a "# syntax=" line names) it serves the gateway API on stdio;
// run by a person it checks Stagefiles and prints their LLB.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"

	"github.com/stagefile/stagefile/frontend"
	"github.com/stagefile/stagefile/spec"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

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
	case "bake":
		return bake(args[1:], stdout, stderr)
	case "eject":
		return ejectCmd(args[1:], stdout, stderr)
	case "schema":
		stdout.Write(spec.Schema)
		return 0
	case "version":
		fmt.Fprintln(stdout, "stagefile", version)
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}
