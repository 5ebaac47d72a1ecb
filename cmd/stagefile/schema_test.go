package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

// TestSchemaValidatesExamples: the JSON Schema editors use (stagefile
// schema, published for SchemaStore) accepts every example, and refuses
// what the parser refuses: an editor never disagrees with the build.
func TestSchemaValidatesExamples(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec.Schema))
	assert.NilError(t, err)
	c := jsonschema.NewCompiler()
	assert.NilError(t, c.AddResource("stagefile.json", doc))
	schema, err := c.Compile("stagefile.json")
	assert.NilError(t, err)
	validate := func(src string) error {
		var v any
		assert.NilError(t, yaml.Unmarshal([]byte(src), &v))
		dt, err := json.Marshal(v)
		assert.NilError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(dt))
		assert.NilError(t, err)
		return schema.Validate(inst)
	}
	files := examples(t)
	more, _ := filepath.Glob("../../examples/*/*/*/Stagefile")
	for _, f := range append(files, more...) {
		dt, err := os.ReadFile(f)
		assert.NilError(t, err)
		assert.Check(t, validate(string(dt)), f)
	}
	for _, bad := range []string{
		"version: 1\nimage: x\ntset:\n  run: y\n",              // a misspelt key
		"version: 1\nimage: x\nrelease:\n  expose: {a: 1}\n",   // a map for a list
		"version: 1\nimage: x\nrelease:\n  check: sometimes\n", // neither a boolean nor a mapping
	} {
		assert.Check(t, validate(bad) != nil, "the schema accepts %q", bad)
		_, err := spec.Parse("Stagefile", []byte(bad))
		assert.Check(t, err != nil, "the parser accepts %q", bad)
	}
	assert.Check(t, is.Contains(strings.ToLower(string(spec.Schema)), "stagefile"))
}
