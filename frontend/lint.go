package frontend

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/plan"
)

// LintConfig reads `# check=skip=...;error=true` from the Stagefile's
// leading comments, as BuildKit reads a Dockerfile's; override, the
// BUILDKIT_DOCKERFILE_CHECK build arg that dockerui parsed, wins. The
// frontend and the CLI both read it here.
func LintConfig(stagefile []byte, override *linter.Config) (plan.LintConfig, error) {
	cfg := override
	if cfg == nil {
		check, _, _, _ := parser.ParseDirective("check", stagefile)
		var err error
		if cfg, err = linter.ParseLintOptions(check); err != nil {
			return plan.LintConfig{}, errors.Wrap(err, "reading the Stagefile's \"# check=\" line")
		}
	}
	return plan.LintConfig{SkipAll: cfg.SkipAll, Skip: cfg.SkipRules, Error: cfg.ReturnAsError}, nil
}
