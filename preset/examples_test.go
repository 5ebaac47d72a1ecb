package preset_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
	"gotest.tools/v3/golden"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
	"github.com/stagefile/stagefile/spec"
)

// example is an example app's Stagefile and its build context.
type example struct {
	Name, Dir, File string
}

// examples lists every Stagefile under examples/, with its context: the
// example's folder (for a monorepo app, the workspace root).
func examples(t testing.TB) []example {
	root := filepath.Join("..", "examples")
	var out []example
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if d.Name() != "Stagefile" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		parts := strings.Split(rel, string(filepath.Separator))
		out = append(out, example{
			Name: strings.TrimSuffix(strings.Join(parts[:len(parts)-1], "-"), "-"),
			Dir:  filepath.Join(root, parts[0]),
			File: filepath.Join(parts[1:]...),
		})
		return nil
	})
	assert.NilError(t, err)
	assert.Assert(t, len(out) >= 6)
	return out
}

// images is what the preset reads of the images the examples name: the
// official node images (a node user), distroless ones (running as 65532,
// node as their entrypoint) and bun's (a bun user, its entrypoint script).
func images(ref string) (*plan.ImageInfo, error) {
	if strings.HasPrefix(ref, "oven/bun:") {
		img := &plan.ImageInfo{Config: &dockerspec.DockerOCIImage{}, Users: func() ([]plan.User, error) {
			return []plan.User{{Name: "root"}, {Name: "bun", UID: 1000}}, nil
		}}
		img.Config.Config.Entrypoint = []string{"/usr/local/bin/docker-entrypoint.sh"}
		img.Config.Config.Cmd = []string{"/usr/local/bin/bun"}
		return img, nil
	}
	if strings.Contains(ref, "distroless") {
		img := &plan.ImageInfo{Config: &dockerspec.DockerOCIImage{}, Users: func() ([]plan.User, error) {
			return []plan.User{{Name: "root"}, {Name: "nonroot", UID: 65532}}, nil
		}}
		img.Config.Config.User = "65532"
		img.Config.Config.Entrypoint = []string{"/nodejs/bin/node"}
		return img, nil
	}
	return &plan.ImageInfo{Users: func() ([]plan.User, error) {
		return []plan.User{{Name: "root"}, {Name: "node", UID: 1000}}, nil
	}}, nil
}

// resolve is the example's plan, its preset reading the example's files
// and the fake images.
func (ex example) resolve(t testing.TB) (*plan.Plan, []*plan.Warning) {
	data, err := os.ReadFile(filepath.Join(ex.Dir, ex.File))
	assert.NilError(t, err)
	s, err := spec.Parse(ex.File, data)
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: preset.Providers,
		ReadFiles: func(names []string) (map[string][]byte, error) { return contextdir.ReadFiles(ex.Dir, names) },
		Image:     images,
	}
	p, warnings, err := r.Resolve(s)
	assert.NilError(t, err)
	return p, warnings
}

// TestPlanSnapshots: the resolved plan of every example, every value with
// its origin, as `stagefile plan` prints it, and as it is stored (`plan
// --format json`). A change to a preset shows here as the commands, files
// and caches it changes.
func TestPlanSnapshots(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			p, warnings := ex.resolve(t)
			var out strings.Builder
			out.Write(p.YAML())
			for _, w := range warnings {
				out.WriteString("# warning: " + w.Error() + "\n")
			}
			golden.Assert(t, out.String(), ex.Name+".plan.yaml")
			golden.Assert(t, string(p.JSON()), ex.Name+".plan.json")
		})
	}
}
