package preset_test

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/preset"
)

// TestScript: which file a release's command runs, as the presets tell
// the start check.
func TestScript(t *testing.T) {
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
		i, suffixes, ok := preset.Providers.Script(tc.argv)
		got := ""
		if ok {
			got = tc.argv[i]
			assert.Check(t, len(suffixes) > 0 && suffixes[0] == "", "%v: the name as written is tried first", tc.argv)
		}
		assert.Check(t, is.Equal(got, tc.want), "%v", tc.argv)
		assert.Check(t, is.Equal(i, tc.i), "%v", tc.argv)
	}
}
