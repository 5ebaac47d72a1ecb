package golang

import (
	"path"

	"github.com/stagefile/stagefile/plan"
)

// pathMatch is how a context answers a name of Files: a wildcard matches,
// a plain name is itself.
func pathMatch(pattern, name string) (bool, error) {
	if !plan.HasWildcard(pattern) {
		return pattern == name, nil
	}
	return path.Match(pattern, name)
}
