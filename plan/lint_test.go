package plan

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

// TestReport: one filter for every client of the rules: skip by name or
// former name, error=true, and findings that fail the release target
// whatever the configuration says.
func TestReport(t *testing.T) {
	at := spec.Range{Start: spec.Pos{Line: 3, Column: 5}, EndLine: 3}
	noTests := &Warning{Rule: PackageManagerAsPID1, File: "Stagefile", Range: at, Msg: "npm as PID 1"}
	start := &Warning{Rule: UnknownStartCommand, File: "Stagefile", Range: at, Msg: "cannot tell how the app starts; set release.cmd"}
	root := &Warning{Rule: RunsAsRoot, File: "Stagefile", Range: at, Msg: "root"}

	shown, err := LintConfig{}.Report([]*Warning{noTests, root}, true)
	assert.NilError(t, err)
	assert.Check(t, is.Len(shown, 2))

	shown, err = LintConfig{Skip: []string{"packagemanageraspid1"}}.Report([]*Warning{noTests, root}, true)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(shown, []*Warning{root}))

	_, err = LintConfig{Error: true, Skip: []string{"RunsAsRoot"}}.Report([]*Warning{noTests, root}, false)
	assert.Check(t, is.Error(err, `lint violations found for rules: PackageManagerAsPID1 (the Stagefile's "# check=" line has error=true)`))

	_, err = LintConfig{SkipAll: true, Error: true}.Report([]*Warning{noTests, root}, true)
	assert.NilError(t, err)

	// the release would not start: an error at the finding, skip or not
	for _, cfg := range []LintConfig{{}, {Skip: []string{"UnknownStartCommand"}}, {Skip: []string{"NoEntrypoint"}}, {SkipAll: true}} {
		shown, err = cfg.Report([]*Warning{noTests, start}, true)
		assert.Check(t, is.Error(err, "Stagefile:3:5: the release would run its base image's own command, not the app: cannot tell how the app starts; set release.cmd. The test, build and dependencies targets build without it [UnknownStartCommand]"), "%+v", cfg)
	}
	// other targets build, with the finding as a warning unless skipped
	shown, err = LintConfig{}.Report([]*Warning{start}, false)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(shown, []*Warning{start}))
	shown, err = LintConfig{Skip: []string{"NoEntrypoint"}}.Report([]*Warning{start}, false)
	assert.NilError(t, err)
	assert.Check(t, is.Len(shown, 0), "a former name still skips")
}

// TestRegistry: rule names are unique, former names included.
func TestRegistry(t *testing.T) {
	rules, err := Providers{"a": ruleProvider{NewRule("NoTests", "again")}}.Registry()
	assert.Check(t, is.Error(err, "two lint rules are named NoTests"))
	assert.Check(t, rules == nil)
	_, err = Providers{"a": ruleProvider{NewRule("Other", "").Alias("noentrypoint")}}.Registry()
	assert.Check(t, is.ErrorContains(err, "two lint rules are named"))
	rules, err = Providers{"a": ruleProvider{NewRule("Mine", "")}}.Registry()
	assert.NilError(t, err)
	assert.Check(t, is.Len(rules, len(Rules)+1))
}

type ruleProvider struct{ rule *Rule }

func (ruleProvider) Name() string                            { return "rules" }
func (ruleProvider) Files(*Plan, map[string][]byte) []string { return nil }
func (r ruleProvider) Rules() []*Rule                        { return []*Rule{r.rule} }
func (ruleProvider) Ecosystem() Ecosystem                    { return Ecosystem{} }
func (ruleProvider) Fill(*Plan, *Facts) ([]*Warning, error)  { return nil, nil }

// TestUntested: a release without tests, or without the build's outputs,
// fails unless the Stagefile says so; other targets build.
func TestUntested(t *testing.T) {
	_, warnings, err := resolve(t, minimal)
	assert.NilError(t, err)
	_, err = LintConfig{SkipAll: true}.Report(warnings, true)
	assert.Check(t, is.ErrorContains(err, "the release would ship untested"))
	_, err = LintConfig{}.Report(warnings, false)
	assert.NilError(t, err)

	_, warnings, err = resolve(t, minimal+"test:\n  none: a static site, nothing to test\n")
	assert.NilError(t, err)
	_, err = LintConfig{}.Report(warnings, true)
	assert.NilError(t, err)

	_, _, err = resolve(t, minimal+"test:\n  none: \"\"\n")
	assert.Check(t, is.ErrorContains(err, "test.none"))
	_, _, err = resolve(t, minimal+"test:\n  run: make test\n  none: no tests\n")
	assert.Check(t, is.ErrorContains(err, "test.none says the release ships without tests, and test.run runs some"))

	_, warnings, err = resolve(t, minimal+"test:\n  run: make test\nbuild:\n  run: make\n")
	assert.NilError(t, err)
	_, err = LintConfig{}.Report(warnings, true)
	assert.Check(t, is.ErrorContains(err, "the release would hold nothing the build made"))
	_, warnings, err = resolve(t, minimal+"test:\n  run: make test\nbuild:\n  run: make\n  outputs: []\n")
	assert.NilError(t, err)
	_, err = LintConfig{}.Report(warnings, true)
	assert.NilError(t, err)
}
