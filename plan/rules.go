package plan

import (
	"fmt"
	"path"
	"strings"

	"github.com/stagefile/stagefile/spec"
)

// Rule is a lint rule: a setting that builds, but makes a worse or
// riskier image. Rules are values so that --call check, the progress
// stream, `# check=skip=...` and the docs all name the same thing.
type Rule struct {
	Name        string
	Description string
	// URL is where docs/stagefile.md explains the rule.
	URL string
}

const rulesURL = "https://github.com/stagefile/stagefile/blob/main/docs/stagefile.md#"

// NewRule declares a rule; its URL is its anchor in docs/stagefile.md.
func NewRule(name, description string) *Rule {
	return &Rule{Name: name, Description: description, URL: rulesURL + strings.ToLower(name)}
}

// The rules every Stagefile is checked against. Presets declare their own.
var (
	NoTests              = NewRule("NoTests", "The release is built without running any tests.")
	TestsSkipped         = NewRule("TestsSkipped", "STAGEFILE_SKIP_TESTS is set: the image is untested.")
	PackageManagerAsPID1 = NewRule("PackageManagerAsPID1", "A package manager as PID 1 does not pass SIGTERM on to the app.")
	RunsAsRoot           = NewRule("RunsAsRoot", "The app runs as root.")
	TokenInManifests     = NewRule("TokenInManifests", "A file that often holds a registry token is copied into image layers.")
	NoBuildOutputs       = NewRule("NoBuildOutputs", "The build step runs, but the release takes nothing from it.")
)

// Rules lists the rules above, for docs and tests.
var Rules = []*Rule{NoTests, TestsSkipped, PackageManagerAsPID1, RunsAsRoot, TokenInManifests, NoBuildOutputs, UnusedBuildArg, SecretInArg}

// Warning is a rule's finding at a place in the Stagefile.
type Warning struct {
	Rule  *Rule
	File  string
	Range spec.Range
	Msg   string
	// Whole: the finding is about no line in particular (a --build-arg
	// passed on the command line); Range is the whole file.
	Whole bool
}

// Warn is a warning about the value decided by o.
func Warn(p *Plan, rule *Rule, o Origin, format string, args ...any) *Warning {
	// its values may come from the context (package.json scripts, folder
	// names): no control characters reach the user's terminal
	return &Warning{Rule: rule, File: p.File, Range: o.At, Msg: escapeControl(fmt.Sprintf(format, args...)), Whole: o.At == p.Span}
}

// Error is the compiler-style form: "Stagefile:9:15: msg [Rule]".
func (w *Warning) Error() string {
	if w.Whole {
		return fmt.Sprintf("%s: %s [%s]", w.File, w.Msg, w.Rule.Name)
	}
	return fmt.Sprintf("%s:%d:%d: %s [%s]", w.File, w.Range.Start.Line, w.Range.Start.Column, w.Msg, w.Rule.Name)
}

// packageManagers do not forward signals to the app they start.
var packageManagers = setOf("npm", "yarn", "pnpm", "npx", "corepack", "bun", "poetry", "pipenv", "uv")

var pythonManagers = setOf("poetry", "pipenv", "uv")

// tokenFiles often hold a registry or repository token.
var tokenFiles = setOf(".npmrc", ".yarnrc.yml", ".yarnrc", ".pypirc", ".netrc", "pip.conf", ".git-credentials")

// Lint returns the warnings every Stagefile gets. Presets add their own
// when they fill the plan.
func Lint(p *Plan) []*Warning {
	var ws []*Warning
	if p.Test.Run == nil {
		o := Origin{At: p.Test.At}
		ws = append(ws, Warn(p, NoTests, o, "no test step: the release is built without running any tests (add test.run)"))
	}
	r := p.Release
	var first string
	var at Origin
	switch {
	case len(r.Entrypoint.Value) > 0:
		first, at = r.Entrypoint.Value[0], r.Entrypoint.Origin
	case !r.Entrypoint.Set() && len(r.Cmd.Value) > 0:
		first, at = r.Cmd.Value[0], r.Cmd.Origin
	}
	if pm := path.Base(first); packageManagers[pm] {
		example := "[node, dist/server.js]"
		if pythonManagers[pm] {
			example = "[gunicorn, app.wsgi] or [python, -m, app]"
		}
		ws = append(ws, Warn(p, PackageManagerAsPID1, at, "%s as PID 1 does not pass SIGTERM on to the app, so docker stop waits and then kills it (start the app directly, e.g. %s)", pm, example))
	}
	switch r.User.Value {
	case "root", "0", "0:0", "root:root":
		ws = append(ws, Warn(p, RunsAsRoot, r.User.Origin, "the app runs as root (use an unprivileged user, e.g. node or 1000)"))
	}
	for _, m := range p.Dependencies.Manifests {
		if tokenFiles[path.Base(m.Value)] {
			ws = append(ws, Warn(p, TokenInManifests, m.Origin, "%s often holds a registry token and would be stored in image layers (list it under dependencies.config, which mounts it for the installs only, and pass tokens as secrets)", m.Value))
		}
	}
	ws = append(ws, lintSecrets(p)...)
	if p.Build.Run != nil && len(p.Build.Outputs) == 0 {
		ws = append(ws, Warn(p, NoBuildOutputs, p.Build.Run.Origin, "the build step's outputs are not listed, so the release gets nothing the build made (add build.outputs, e.g. [dist])"))
	}
	return ws
}
