package node

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// suggest runs Suggest as stagefile init does: SuggestFiles asked again
// with what was read, from the files of a context.
func suggest(t *testing.T, p *plan.Plan, context map[string]string) map[string]plan.Suggestion {
	t.Helper()
	read := map[string][]byte{}
	for range plan.SuggestRounds {
		for _, n := range (Provider{}).SuggestFiles(p, read) {
			if dt, ok := context[n]; ok {
				read[n] = []byte(dt)
			}
		}
	}
	out := map[string]plan.Suggestion{}
	for _, s := range (Provider{}).Suggest(p, read) {
		if s.Field == ".dockerignore" {
			s.Field += " " + s.Values[0]
		}
		out[s.Field] = s
	}
	return out
}

// initPlan is the plan of an app the preset starts with node FILE and
// builds with scripts.build when build is set.
func initPlan(app, start string, build bool) *plan.Plan {
	o := plan.Origin{Kind: plan.Preset, Preset: "node"}
	p := &plan.Plan{App: plan.Value[string]{Value: app, Origin: o}, Workdir: plan.Value[string]{Value: "/app", Origin: o}}
	if build {
		p.Build.Run = plan.Argv(o, []string{"npm", "run", "build"})
	}
	if start != "" {
		p.Release.Entrypoint = plan.Value[[]string]{Value: []string{"node"}, Origin: o}
		p.Release.Cmd = plan.Value[[]string]{Value: []string{start}, Origin: o}
	}
	return p
}

// TestSuggestTsc: tsc -p reads the tsconfig it names and those it
// extends (JSON with comments and trailing commas); the port is read
// from the source of the compiled start file.
func TestSuggestTsc(t *testing.T) {
	s := suggest(t, initPlan(".", "build/server.js", true), map[string]string{
		"package.json":        `{"scripts": {"build": "rimraf build && npm run compile", "compile": "tsc -p tsconfig.build.json"}, "main": "build/server.js"}`,
		"tsconfig.build.json": "{\n  // the release build\n  \"extends\": \"./tsconfig.json\",\n  \"include\": [\"lib\"],\n}\n",
		"tsconfig.json":       `{"compilerOptions": {/* where */ "outDir": "build", "rootDir": "lib",},}`,
		"lib/server.ts":       "const app = createApp();\napp.listen(process.env.PORT ?? 3000);\n",
	})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"build"}))
	assert.Check(t, !s["build.outputs"].Unsure)
	assert.Check(t, is.Contains(s["build.outputs"].From, "tsconfig.build.json compilerOptions.outDir"))
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"3000"}))
	assert.Check(t, is.Contains(s["release.expose"].From, "lib/server.ts: app.listen(process.env.PORT ?? 3000);"))
	assert.Check(t, is.DeepEqual(s[".dockerignore build"].Values, []string{"build"}))

	// tsc without outDir writes next to the sources: init cannot tell
	s = suggest(t, initPlan(".", "server.js", true), map[string]string{
		"package.json":  `{"scripts": {"build": "tsc"}}`,
		"tsconfig.json": `{"compilerOptions": {}}`,
	})
	assert.Check(t, s["build.outputs"].Unsure)
	assert.Check(t, is.Contains(s["build.outputs"].From, "no outDir"))

	// compiled in place: never ignored, or the sources would be
	s = suggest(t, initPlan(".", "src/server.js", true), map[string]string{
		"package.json":  `{"scripts": {"build": "tsc"}}`,
		"tsconfig.json": `{"compilerOptions": {"outDir": "src", "rootDir": "src"}}`,
	})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"src"}))
	_, ignored := s[".dockerignore src"]
	assert.Check(t, !ignored)
}

// TestSuggestBuildTools: what the known tools write, their flags first.
func TestSuggestBuildTools(t *testing.T) {
	for _, tc := range []struct {
		build, start string
		files        map[string]string
		want         []string
	}{
		{"vite build", "server/index.js", map[string]string{"vite.config.ts": "export default { build: { outDir: 'public/app' } }"}, []string{"public/app", "server"}},
		{"vite build --outDir web", "server.js", nil, []string{"web", "server.js"}},
		{"babel src -d lib --copy-files", "lib/index.js", nil, []string{"lib"}},
		{"babel src --out-dir build --ignore 'src/**/*.test.js'", "build/server.js", nil, []string{"build"}},
		{"NODE_ENV=production webpack --mode production", "dist/main.js", nil, []string{"dist"}},
		{"cross-env X=1 npx tsup src/index.ts -d out", "out/index.js", nil, []string{"out"}},
		{"nest build", "dist/main.js", map[string]string{"tsconfig.build.json": `{"extends": "./tsconfig.json"}`, "tsconfig.json": `{"compilerOptions": {"outDir": "./dist"}}`}, []string{"dist"}},
		{"esbuild src/app.ts --bundle --outfile=bundle.js", "bundle.js", nil, []string{"bundle.js"}},
		{"tsc --noEmit && vite build", "server.js", nil, []string{"dist", "server.js"}},
		{"bun build ./src/index.ts --outdir ./out --target bun", "out/index.js", nil, []string{"out"}},
		{"bun build src/cli.ts --outfile=bin/cli.js", "bin/cli.js", nil, []string{"bin/cli.js"}},
	} {
		files := map[string]string{"package.json": `{"scripts": {"build": ` + quote(tc.build) + `}}`}
		for k, v := range tc.files {
			files[k] = v
		}
		files[tc.start] = "" // in the context unless the build writes it
		s := suggest(t, initPlan(".", tc.start, true), files)
		assert.Check(t, is.DeepEqual(s["build.outputs"].Values, tc.want), tc.build)
		assert.Check(t, !s["build.outputs"].Unsure, tc.build)
	}
}

func quote(s string) string { return `"` + s + `"` }

// TestSuggestUnknownBuild: a build init cannot read is a TODO, with what
// the preset ships (a workspace app's outputs) kept.
func TestSuggestUnknownBuild(t *testing.T) {
	p := initPlan("apps/web", "src/server.js", true)
	p.Build.Outputs = []plan.Value[string]{{Value: "apps/web/src"}, {Value: "packages/ui/src"}}
	s := suggest(t, p, map[string]string{
		"apps/web/package.json":  `{"scripts": {"build": "node build.js"}}`,
		"apps/web/src/server.js": "",
	})
	assert.Check(t, s["build.outputs"].Unsure)
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"apps/web/src", "packages/ui/src"}))
	assert.Check(t, is.Contains(s["build.outputs"].From, `"node build.js"`))
}

// TestSuggestNoBuild: without a build, the release takes the folder of
// the start file (or the file, at the app's root) from the source.
func TestSuggestNoBuild(t *testing.T) {
	s := suggest(t, initPlan(".", "src/server.js", false), map[string]string{
		"package.json":  `{"scripts": {"start": "node src/server.js"}}`,
		"src/server.js": "const PORT = 8080\nserver.listen(PORT)\n",
	})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"src"}))
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"8080"}))
	s = suggest(t, initPlan(".", "index.js", false), map[string]string{
		"package.json": `{"main": "index.js"}`,
		"index.js":     "app.listen(3000)\nother.listen(4000)\n",
	})
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{"index.js"}))
	assert.Check(t, s["release.expose"].Unsure, "two ports: a TODO")
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"3000", "4000"}))
}

// TestSuggestNext: next start's port; what to ship is the choice
// docs/presets.md describes, commented out, as is the start command.
func TestSuggestNext(t *testing.T) {
	s := suggest(t, initPlan(".", "", true), map[string]string{
		"package.json":   `{"scripts": {"build": "next build", "start": "next start -p 4000"}, "dependencies": {"next": "16.0.0"}}`,
		"next.config.ts": "export default {}",
	})
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"4000"}))
	assert.Check(t, !s["release.expose"].Unsure)
	assert.Check(t, s["build.outputs"].Unsure)
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{".next", "public", "next.config.ts"}))
	assert.Check(t, is.Contains(s["build.outputs"].From, "next.config.mjs"))
	assert.Check(t, s["release.cmd"].Unsure)
	assert.Check(t, is.DeepEqual(s["release.cmd"].Values, []string{"node_modules/next/dist/bin/next", "start"}))

	s = suggest(t, initPlan(".", "", true), map[string]string{
		"package.json":    `{"scripts": {"build": "next build", "start": "next start"}}`,
		"next.config.mjs": "export default { output: 'standalone' }",
	})
	assert.Check(t, is.DeepEqual(s["release.expose"].Values, []string{"3000"}))
	assert.Check(t, is.DeepEqual(s["build.outputs"].Values, []string{".next/standalone"}))
	assert.Check(t, is.DeepEqual(s["release.cmd"].Values, []string{".next/standalone/server.js"}))
}

// TestSuggestHostileOutputs: an outDir out of the context, or with
// control characters, is never suggested as a value.
func TestSuggestHostileOutputs(t *testing.T) {
	for _, out := range []string{"../../etc", "/abs", "dist\n- x", "node_modules/x", "*"} {
		s := suggest(t, initPlan(".", "x.js", true), map[string]string{
			"package.json":  `{"scripts": {"build": "tsc"}}`,
			"tsconfig.json": `{"compilerOptions": {"outDir": ` + quoteJSON(out) + `}}`,
		})
		assert.Check(t, s["build.outputs"].Unsure, "%q", out)
		for _, v := range s["build.outputs"].Values {
			assert.Check(t, v != out, "%q suggested", out)
		}
		for k, v := range s {
			if k != ".dockerignore node_modules" {
				assert.Check(t, k != ".dockerignore "+out, "%q ignored: %v", out, v)
			}
		}
	}
}

func quoteJSON(s string) string {
	out := `"`
	for _, r := range s {
		if r == '\n' {
			out += `\n`
			continue
		}
		out += string(r)
	}
	return out + `"`
}

// TestWorkspaceApps: the packages with a start script are the apps.
func TestWorkspaceApps(t *testing.T) {
	files := map[string][]byte{
		"package.json":               []byte(`{"workspaces": ["apps/*", "packages/*"]}`),
		"apps/api/package.json":      []byte(`{"scripts": {"start": "node src/server.js"}}`),
		"apps/cli/package.json":      []byte(`{"bin": "x.js"}`),
		"packages/lib/package.json":  []byte(`{"main": "index.js"}`),
		"elsewhere/x/package.json":   []byte(`{"scripts": {"start": "node x"}}`),
		"packages/nest/package.json": []byte(`{"scripts": {"start": "nest start", "start:prod": "node dist/main"}}`),
	}
	names := (Provider{}).WorkspaceFiles(files)
	assert.Check(t, is.Contains(names, "apps/*/package.json"))
	w := (Provider{}).Workspace(files)
	assert.Assert(t, w != nil)
	assert.Check(t, is.Equal(w.Kind, "a workspace (package.json workspaces)"))
	assert.Check(t, is.DeepEqual(w.Packages, []plan.WorkspacePackage{
		{Dir: "apps/api", Start: "scripts.start: node src/server.js"}, {Dir: "apps/cli"}, {Dir: "packages/lib"},
		{Dir: "packages/nest", Start: "scripts.start: nest start"},
	}))
	assert.Check(t, (Provider{}).Workspace(map[string][]byte{"package.json": []byte(`{"name": "x"}`)}) == nil)
}

// TestJSONC: comments and trailing commas go, strings stay.
func TestJSONC(t *testing.T) {
	got := string(jsonc([]byte(`{"a": "// not a comment", /* c */ "b": [1, 2,], // x
"c": "/* s */",}`)))
	assert.Check(t, is.Equal(got, `{"a": "// not a comment",   "b": [1, 2], 
"c": "/* s */"}`))
}
