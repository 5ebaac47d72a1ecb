// Command gen-schema writes spec/schema.json from spec/types.go; run it with
// go generate ./spec after changing the types.
package main

import (
	"fmt"
	"os"

	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

func main() {
	src, err := os.ReadFile("types.go")
	if err == nil {
		var out []byte
		if out, err = spec.GenerateSchema(src, preset.Names()); err == nil {
			err = os.WriteFile("schema.json", append(out, '\n'), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-schema:", err)
		os.Exit(1)
	}
}
