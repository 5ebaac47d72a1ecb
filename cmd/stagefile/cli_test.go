package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestCheckExamples: every example's Stagefile is valid.
func TestCheckExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/Stagefile")
	assert.NilError(t, err)
	more, _ := filepath.Glob("../../examples/*/apps/*/Stagefile")
	files = append(files, more...)
	assert.Assert(t, len(files) >= 6)
	for _, f := range files {
		var out, errOut bytes.Buffer
		code := runCLI(context.Background(), []string{"check", f}, &out, &errOut)
		assert.Check(t, is.Equal(code, 0), "%s: %s", f, errOut.String())
	}
}

func TestCheckReportsPosition(t *testing.T) {
	f := filepath.Join(t.TempDir(), "Stagefile")
	assert.NilError(t, os.WriteFile(f, []byte("version: 1\nimage: node:20\nbuild:\n  outputs: [/abs]\n"), 0o644))
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"check", f}, &out, &errOut)
	assert.Check(t, is.Equal(code, 1))
	assert.Check(t, is.Contains(errOut.String(), f+`:4:13: "/abs" is absolute`))
}

func TestLLBPrintsDefinition(t *testing.T) {
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), []string{"llb", "-target", "test", "../../examples/node-yarn/Stagefile"}, &out, &errOut)
	assert.Check(t, is.Equal(code, 0), errOut.String())
	assert.Check(t, out.Len() > 0)
	assert.Check(t, is.Contains(out.String(), "yarn run test"))
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Check(t, is.Equal(runCLI(context.Background(), []string{"bulid"}, &out, &errOut), 2))
	assert.Check(t, is.Contains(errOut.String(), `unknown command "bulid"`))
}
