package node

import (
	"os"
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestProductionPackages: the production walk of each lockfile format
// lists what a production install puts in place, and no dev dependency.
func TestProductionPackages(t *testing.T) {
	cases := []struct {
		example, app  string
		pm            manager
		lockfile      string
		want, notWant []string
	}{
		{"node-yarn", ".", managers[yarn], "yarn.lock", []string{"express", "body-parser", "qs"}, []string{"jest", "@babel/core", "babel-jest"}},
		{"node-yarn-berry", ".", managers[yarnBerry], "yarn.lock", []string{"koa", "@koa/router", "debug"}, []string{"mocha"}},
		{"node-npm", ".", managers[npm], "package-lock.json", []string{"zod"}, []string{"typescript", "@types/node"}},
		{"node-native", ".", managers[npm], "package-lock.json", []string{"bcrypt", "node-addon-api"}, nil},
		{"node-pnpm-monorepo", "apps/api", managers[pnpm], "pnpm-lock.yaml", []string{"cookie", "ms"}, []string{"escape-html", "prettier"}},
		{"node-pnpm-monorepo", "apps/web", managers[pnpm], "pnpm-lock.yaml", []string{"escape-html", "ms"}, []string{"cookie", "prettier"}},
		{"node-bun", ".", managers[bun], "bun.lock", []string{"hono"}, []string{"@types/bun", "bun-types", "@types/node"}},
	}
	for _, tc := range cases {
		t.Run(tc.example+"/"+tc.app, func(t *testing.T) {
			dir := filepath.Join("..", "..", "examples", tc.example)
			dt, err := os.ReadFile(filepath.Join(dir, tc.lockfile))
			assert.NilError(t, err)
			lf, err := parseLockfile(tc.pm, normalize(dt))
			assert.NilError(t, err)
			imps := []importer{{dir: ".", pkg: readPackage(t, filepath.Join(dir, "package.json"))}}
			if tc.app != "." {
				imps = append(imps, importer{dir: tc.app, pkg: readPackage(t, filepath.Join(dir, tc.app, "package.json"))})
			}
			names := map[string]string{}
			for _, p := range lf.production(imps) {
				names[p.Name] = p.Version
				assert.Check(t, p.Version != "", "%s has no version", p.Name)
			}
			for _, n := range tc.want {
				assert.Check(t, names[n] != "", "%s is shipped but not listed: %v", n, names)
			}
			for _, n := range tc.notWant {
				assert.Check(t, is.Equal(names[n], ""), "%s is a dev dependency", n)
			}
		})
	}
}

func readPackage(t *testing.T, file string) packageJSON {
	dt, err := os.ReadFile(file)
	assert.NilError(t, err)
	var p packageJSON
	assert.NilError(t, readJSON(dt, &p))
	return p
}
