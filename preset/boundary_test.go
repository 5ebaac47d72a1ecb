package preset_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

// ecosystemWord is what only a preset may know: package managers, their
// files and the folders their installs make.
var ecosystemWord = regexp.MustCompile(`(^|[^A-Za-z0-9_.-])(npm|npx|yarn|pnpm|corepack|bun|pip|pipenv|uv|poetry|pypi|[Pp]ython[0-9.]*|node_modules|\.venv|\.npmrc|\.yarnrc(\.yml)?|\.pypirc|pip\.conf|go\.mod|go\.sum|package\.json|pyproject\.toml|requirements\.txt|cargo|rustup|Cargo\.toml|Cargo\.lock|mvnw?|[Mm]aven|gradlew?|pom\.xml|\.m2|\.mvn)([^A-Za-z0-9_-]|$)`)

// TestCoreNamesNoEcosystem: the core (the plan, the converter, the
// frontend, the SBOM writer) learns every ecosystem fact from the
// providers (plan.Ecosystem and the hooks), so a new preset changes
// nothing outside its own package. Comments count: they would go stale.
func TestCoreNamesNoEcosystem(t *testing.T) {
	var hits []string
	for _, dir := range []string{"plan", "llb", "frontend", "sbom"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		assert.NilError(t, err)
		assert.Assert(t, len(files) > 0, dir)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			dt, err := os.ReadFile(f)
			assert.NilError(t, err)
			inImport := false
			for i, line := range strings.Split(string(dt), "\n") {
				switch trimmed := strings.TrimSpace(line); {
				case trimmed == "import (":
					inImport = true
					continue
				case inImport && trimmed == ")":
					inImport = false
					continue
				case inImport || strings.HasPrefix(trimmed, "import "):
					continue // a library's import path may name anything
				}
				if m := ecosystemWord.FindStringSubmatch(line); m != nil {
					hits = append(hits, f+":"+strconv.Itoa(i+1)+": "+m[2]+": "+strings.TrimSpace(line))
				}
			}
		}
	}
	assert.Assert(t, len(hits) == 0, "ecosystem knowledge outside the presets (give the core a provider hook instead):\n%s", strings.Join(hits, "\n"))
}
