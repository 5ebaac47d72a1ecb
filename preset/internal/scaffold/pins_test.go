package scaffold

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func TestPins(t *testing.T) {
	files := map[string][]byte{
		".tool-versions":          []byte("# asdf\nnodejs 20.11.0 18.19.0\npython 3.11.7\ngolang 1.22.1 # go\nruby system\n"),
		"mise.toml":               []byte("[tools]\nnode = \"22\"\npython = [\"3.12\", \"3.11\"]\ngo = { version = \"prefix:1.23\" }\nruby = \"latest\"\n"),
		"apps/api/.tool-versions": []byte("nodejs lts\n"),
	}
	pins, err := Pins(files, ".", "nodejs", "node")
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(pins, []Pin{{"mise.toml", "node", "22"}, {".tool-versions", "nodejs", "20.11.0"}}))
	assert.Check(t, is.Equal(pins[0].String(), "mise.toml [tools] node 22"))
	assert.Check(t, is.Equal(pins[1].String(), ".tool-versions nodejs 20.11.0"))

	pins, err = Pins(files, "apps/api", "nodejs", "node")
	assert.NilError(t, err)
	assert.Check(t, is.Equal(pins[0].String(), "apps/api/.tool-versions nodejs lts"), "the app's folder first")

	pins, err = Pins(files, ".", "python")
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(pins, []Pin{{"mise.toml", "python", "3.12"}, {".tool-versions", "python", "3.11.7"}}))
	pins, err = Pins(files, ".", "golang", "go")
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(pins, []Pin{{"mise.toml", "go", "1.23"}, {".tool-versions", "golang", "1.22.1"}}))
	pins, err = Pins(files, ".", "ruby")
	assert.NilError(t, err)
	assert.Check(t, is.Len(pins, 0), "system and latest pin nothing")

	_, err = Pins(map[string][]byte{"mise.toml": []byte("[tools\n")}, ".", "node")
	assert.Check(t, is.ErrorContains(err, "mise.toml is not TOML mise can read: line 1 column"))
	assert.Check(t, is.DeepEqual(PinFiles("apps/api"), []string{"apps/api/mise.toml", "apps/api/.mise.toml", "apps/api/.tool-versions", "mise.toml", ".mise.toml", ".tool-versions"}))
}
