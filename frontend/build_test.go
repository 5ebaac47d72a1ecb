package frontend

import (
	"context"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/pkg/errors"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/llb"
	"github.com/stagefile/stagefile/plan"
)

// TestTelling: of two solves sharing a failed step, the error with the
// step's Stagefile location is reported, whichever came back first.
func TestTelling(t *testing.T) {
	step := errdefs.WithSource(errors.New("process did not complete successfully: exit code: 3"), &errdefs.Source{})
	released := errors.New("releasing already released reference")
	assert.Equal(t, telling([]error{released, step}), step)
	assert.Equal(t, telling([]error{step, context.Canceled}), step)
	assert.Equal(t, telling([]error{context.Canceled, released}), released)
	assert.Equal(t, telling([]error{released, nil}), released)
	assert.NilError(t, telling([]error{nil, nil}))
}

// TestStartsNothing: a release that would run the base image's prompt is
// an error at the preset's warning; other targets, or a cmd, are not.
func TestStartsNothing(t *testing.T) {
	p := &plan.Plan{File: "Stagefile", Preset: plan.Value[string]{Value: "node", Origin: plan.Origin{Kind: plan.Stagefile}}}
	rule := plan.NewRule("UnknownStartCommand", "")
	ws := []*plan.Warning{{Rule: rule, File: "Stagefile", Msg: "cannot tell how the app starts; set release.cmd, e.g. [node, dist/server.js]"}}
	err := startsNothing(p, ws, llb.TargetRelease)
	assert.Check(t, is.ErrorContains(err, "the release would run its base image's own command, not the app: cannot tell how the app starts"))
	assert.Check(t, startsNothing(p, ws, llb.TargetTest))
	p.Release.Cmd = plan.Value[[]string]{Value: []string{"node", "x.js"}, Origin: plan.Origin{Kind: plan.Stagefile}}
	assert.Check(t, startsNothing(p, ws, llb.TargetRelease))
}

func TestScriptOf(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		i    int
		want string
	}{
		{[]string{"node", "dist/server.js"}, 1, "dist/server.js"},
		{[]string{"/nodejs/bin/node", "--enable-source-maps", "-r", "./otel.js", "dist/main"}, 4, "dist/main"},
		{[]string{"node", "-e", "1"}, 0, ""},
		{[]string{"python", "-m", "app"}, 0, ""},
		{[]string{"/app/.venv/bin/python", "-c", "import x"}, 0, ""},
		{[]string{"python3", "-u", "main.py"}, 2, "main.py"},
		{[]string{"docker-entrypoint.sh", "build/server.js"}, 1, "build/server.js"},
		{[]string{"docker-entrypoint.sh", "npm", "start"}, 0, ""},
		{[]string{"gunicorn", "app:app"}, 0, ""},
	} {
		i, got := scriptOf(tc.argv)
		assert.Check(t, is.Equal(got, tc.want), "%v", tc.argv)
		assert.Check(t, is.Equal(i, tc.i), "%v", tc.argv)
	}
}
