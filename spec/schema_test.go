package spec_test

import (
	"encoding/json"
	"os"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// TestSchemaUpToDate: the committed schema is what the types generate.
func TestSchemaUpToDate(t *testing.T) {
	src, err := os.ReadFile("types.go")
	assert.NilError(t, err)
	want, err := spec.GenerateSchema(src, preset.Names())
	assert.NilError(t, err)
	assert.Equal(t, string(spec.Schema), string(want)+"\n", "spec/schema.json is stale: run go generate ./spec")
}

func TestSchemaShape(t *testing.T) {
	var s struct {
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
		Defs       map[string]any            `json:"$defs"`
	}
	assert.NilError(t, json.Unmarshal(spec.Schema, &s))
	assert.Check(t, is.DeepEqual(s.Required, []string{"version"}), "image is required only without a preset: the if/then says so")
	for _, key := range []string{"version", "preset", "image", "workdir", "app", "env", "source", "dependencies", "secrets", "test", "build", "release"} {
		assert.Check(t, s.Properties[key] != nil, "no %s in the schema", key)
	}
	assert.Check(t, is.Contains(s.Properties["image"]["description"], "base image"))
	assert.Check(t, is.DeepEqual(s.Properties["preset"]["enum"], []any{"go", "java", "node", "python", "rust"}))
	for _, def := range []string{"Dependencies", "Cache", "Secret", "Test", "Build", "Release", "Source"} {
		assert.Check(t, s.Defs[def] != nil, "no %s definition", def)
	}
}
