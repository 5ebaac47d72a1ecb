package startcheck

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func check(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestKeepsRunning: an app that keeps running for the wait passes, and is
// stopped after it.
func TestKeepsRunning(t *testing.T) {
	start := time.Now()
	code, out, stderr := check("--wait", "300ms", "--", "sleep", "30")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, `["sleep","30"] kept running for 300ms`))
	assert.Check(t, time.Since(start) < 5*time.Second, "the app was not stopped")
}

// TestExitsEarly: an app that exits fails the check with its own output
// and, where the output says so, what the Stagefile lacks.
func TestExitsEarly(t *testing.T) {
	code, _, stderr := check("--wait", "5s", "--", "sh", "-c", "echo starting; echo \"Error: EACCES: permission denied, mkdir 'logs'\" >&2; exit 3")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, `exited after`))
	assert.Check(t, is.Contains(stderr, `(exit code 3)`))
	assert.Check(t, is.Contains(stderr, "EACCES: permission denied, mkdir 'logs'"))
	assert.Check(t, is.Contains(stderr, "release.writable"))

	code, _, stderr = check("--wait", "5s", "--", "sh", "-c", "echo 'KeyError: SECRET_KEY' >&2; exit 1")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "release.check.env"))

	code, _, stderr = check("--", "/no/such/program")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "could not start"))

	code, _, stderr = check("--wait", "1s")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "no command"))
}

// TestHealthcheck: with a healthcheck the app must also pass it.
func TestHealthcheck(t *testing.T) {
	code, out, stderr := check("--wait", "200ms", "--health", `["CMD","true"]`, "--health-interval", "50ms", "--", "sleep", "30")
	assert.Check(t, is.Equal(code, 0), stderr)
	assert.Check(t, is.Contains(out, "healthcheck passed"))

	code, _, stderr = check("--wait", "200ms", "--health", `["CMD-SHELL","exit 1"]`, "--health-interval", "50ms",
		"--health-timeout", "100ms", "--health-retries", "2", "--", "sleep", "30")
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(stderr, "never passed"), stderr)
}

func TestArgs(t *testing.T) {
	args := Args(3*time.Second, &Health{Test: []string{"CMD", "curl", "-f", "x"}, Interval: time.Second, Timeout: 2 * time.Second, Retries: 3}, []string{"node", "a b.js"})
	assert.Check(t, is.Equal(strings.Join(args, " "), `check-release --wait 3s --health ["CMD","curl","-f","x"] --health-interval 1s --health-timeout 2s --health-start 0s --health-retries 3 -- node a b.js`))
}

func TestIs(t *testing.T) {
	assert.Check(t, Is(append([]string{"/.stagefile/stagefile"}, Args(time.Second, nil, []string{"node", "a.js"})...)))
	assert.Check(t, !Is([]string{"/bin/sh", "-c", "stagefile check-release"}))
	assert.Check(t, !Is([]string{"stagefile"}))
}
