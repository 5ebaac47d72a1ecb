package integration

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestTokensNeverInLayers: a registry token committed in the package
// manager's settings (.yarnrc.yml's npmAuthToken, a scoped .npmrc
// _authToken) reaches no layer of any target, nor the build cache a CI
// exports with mode=max: the preset mounts those files for the steps that
// read them instead of copying them. The warning says so at the preset line.
func TestTokensNeverInLayers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		example, file, format string
	}{
		{"node-yarn-berry", ".yarnrc.yml", "npmScopes:\n  private:\n    npmRegistryServer: \"https://npm.example.invalid\"\n    npmAuthToken: \"%s\"\n"},
		// a scope this app does not use: npm holds the token without sending it
		{"node-npm", ".npmrc", "@private:registry=https://npm.example.invalid/\n//npm.example.invalid/:_authToken=%s\n"},
	} {
		t.Run(tc.example, func(t *testing.T) {
			t.Parallel()
			dir := example(t, tc.example)
			token := fmt.Sprintf("stagefile-token-%d", unique())
			f := filepath.Join(dir, tc.file)
			if _, err := os.Stat(f); err != nil {
				writeFile(t, f, "")
			}
			appendFile(t, f, fmt.Sprintf(tc.format, token))
			cache := t.TempDir()
			for _, target := range []string{"dependencies", "development", "test", "build", "release"} {
				tarPath := filepath.Join(t.TempDir(), "image.tar")
				args := []string{"--progress=rawjson", "--opt", "target=" + target, "--output", "type=oci,dest=" + tarPath}
				if target == "release" {
					args = append(args, "--export-cache", "type=local,dest="+cache+",mode=max")
				}
				out, err := buildctl(t, dir, args...)
				p := parseProgress(t, out)
				assert.NilError(t, err, tail(out, 20))
				assert.Check(t, is.Contains(strings.Join(p.warnings, "\n"), "TokenInManifests: "+tc.file+" holds a registry token"), target)
				raw, err := os.ReadFile(tarPath)
				assert.NilError(t, err)
				found := bytes.Count(raw, []byte(token))
				img := ociImage(t, tarPath)
				for i, layer := range img.Layers {
					n := bytes.Count(layer.Tar, []byte(token))
					assert.Check(t, n == 0, "target %s: layer %d holds the token %d times", target, i, n)
					found += n
				}
				assert.Check(t, is.Equal(found, 0), "target %s", target)
				assert.Check(t, filesOf(t, img)["app/"+tc.file] == nil, "%s is in the %s image", tc.file, target)
				t.Logf("target %s: %d layers scanned, token found %d times", target, len(img.Layers), found)
			}
			// the cache a CI pushes with mode=max: every blob, uncompressed
			blobs := 0
			assert.NilError(t, filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				blobs++
				dt, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				assert.Check(t, !bytes.Contains(dt, []byte(token)), "cache blob %s holds the token", p)
				if plain, err := gunzip(dt); err == nil {
					assert.Check(t, !bytes.Contains(plain, []byte(token)), "cache blob %s holds the token", p)
				}
				return nil
			}))
			t.Logf("mode=max cache: %d blobs scanned", blobs)
		})
	}
}

// TestHostileWorkspaceName: a workspace app whose package.json name is a
// shell command installs correctly and runs nothing: the preset selects
// workspaces by folder and quotes every argument.
func TestHostileWorkspaceName(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-pnpm-monorepo")
	pkg := filepath.Join(dir, "apps", "api", "package.json")
	writeFile(t, pkg, strings.Replace(readFile(t, pkg), `"name": "@acme/api"`, `"name": "a b; touch /pwned"`, 1))
	ref := uniqueRef(t, "hostile-name")
	out, err := buildctl(t, dir, "--progress=plain", "--opt", "filename=apps/api/Stagefile", "--output", pushOutput(ref))
	assert.NilError(t, err, tail(out, 30))
	img := pullImage(t, ref)
	files := filesOf(t, img)
	assert.Check(t, files["pwned"] == nil, "/pwned exists in the release")
	assert.Check(t, files["app/node_modules/.pnpm/cookie@1.1.1/node_modules/cookie/package.json"] != nil, "the api's dependencies were installed")
	for i, l := range img.Layers {
		tr := tar.NewReader(bytes.NewReader(l.Tar))
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			assert.Check(t, strings.Trim(h.Name, "./") != "pwned", "layer %d holds /pwned", i)
		}
	}
}

// TestLLBPipedIsGated: the LLB `stagefile llb` prints requires the tests,
// so solving it with plain buildctl fails when a test fails.
func TestLLBPipedIsGated(t *testing.T) {
	t.Parallel()
	bin := stagefileBin(t)
	for _, tc := range []struct {
		example string
		fails   bool
	}{{"failing-test", true}, {"node-yarn", false}} {
		t.Run(tc.example, func(t *testing.T) {
			t.Parallel()
			dir := example(t, tc.example)
			if tc.example == "node-yarn" {
				newSource(t, dir, "src/app.js")
			}
			def, err := exec.Command(bin, "llb", "--target", "release", filepath.Join(dir, "Stagefile")).Output()
			assert.NilError(t, err)
			cmd := exec.Command("buildctl", "--addr", env.buildkit, "build", "--progress=plain", "--local", "context="+dir)
			cmd.Stdin = bytes.NewReader(def)
			var o bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &o
			err = cmd.Run()
			if tc.fails {
				assert.Assert(t, err != nil, "the release solved though a test fails:\n%s", tail(o.String(), 20))
				assert.Check(t, is.Contains(o.String(), "not ok 1 - greet ends the sentence"))
			} else {
				assert.NilError(t, err, tail(o.String(), 20))
				assert.Check(t, is.Contains(o.String(), "[test] yarn run test"))
			}
		})
	}
}

// TestOutlineShowsPresetCaches: --call outline answers from the resolved
// plan, so a preset Stagefile lists the caches the preset adds.
func TestOutlineShowsPresetCaches(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	builder := remoteBuilder(t, "stagefile-test-outline")
	// the text form lists args and secrets; caches are in the JSON form
	out, err := run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "-f", "Stagefile", "--call", "outline,format=json", "--progress=quiet", ".")
	assert.NilError(t, err, out)
	var o struct {
		Args  []struct{ Name string }
		Cache []struct{ ID string }
	}
	assert.NilError(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &o), out)
	var caches, args []string
	for _, c := range o.Cache {
		caches = append(caches, c.ID)
	}
	for _, a := range o.Args {
		args = append(args, a.Name)
	}
	assert.Check(t, is.Contains(caches, "/root/.npm"), "the preset's npm cache is not in the outline: %s", out)
	assert.Check(t, is.Contains(args, "SOURCE_DATE_EPOCH"))
}

// TestSourceDateEpoch: SOURCE_DATE_EPOCH sets the release's creation time
// and its history's.
func TestSourceDateEpoch(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-yarn")
	ref := uniqueRef(t, "epoch")
	out, err := buildctl(t, dir, "--progress=plain", "--opt", "build-arg:SOURCE_DATE_EPOCH=1700000000",
		"--output", pushOutput(ref)+",rewrite-timestamp=true")
	assert.NilError(t, err, tail(out, 20))
	img := pullImage(t, ref)
	want := time.Unix(1700000000, 0).UTC()
	assert.Assert(t, img.Config.Created != nil)
	assert.Check(t, img.Config.Created.Equal(want), "created %s", img.Config.Created)
	ours := 0
	for _, h := range img.Config.History {
		if h.Comment == "stagefile" {
			ours++
			assert.Check(t, h.Created != nil && h.Created.Equal(want), "history %q created %v", h.CreatedBy, h.Created)
		}
	}
	assert.Check(t, is.Equal(ours, 2))
}

// TestCheckDirective: "# check=error=true" turns warnings into a failed
// build; "# check=skip=RULE" silences a rule.
func TestCheckDirective(t *testing.T) {
	t.Parallel()
	dir := example(t, "failing-test")
	stagefile := func(check, rest string) {
		writeFile(t, filepath.Join(dir, "Stagefile"), "# syntax="+env.frontend+"\n"+check+"\nversion: 1\nimage: node:20-bookworm-slim\n"+rest)
	}
	untested := "test:\n  none: a check of the linter\n"
	stagefile("# check=error=true", untested+"release:\n  cmd: [npm, start]\n")
	out, err := buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, "warnings with error=true built:\n%s", out)
	assert.Check(t, is.Contains(out, "lint violations found for rules: PackageManagerAsPID1"))
	assert.Check(t, !strings.Contains(out, "[release]"), "something was built")

	stagefile("# check=skip=PackageManagerAsPID1", untested+"release:\n  cmd: [npm, start]\n")
	out, err = buildctl(t, dir, "--progress=rawjson")
	assert.NilError(t, err, tail(out, 20))
	warnings := strings.Join(parseProgress(t, out).warnings, "\n")
	assert.Check(t, !strings.Contains(warnings, "PackageManagerAsPID1"), "skipped rule reported: %s", warnings)

	// no tests and no test.none: the release fails whatever "# check=" says
	stagefile("# check=skip=all", "release:\n  cmd: [node, -e, \"1\"]\n")
	out, err = buildctl(t, dir, "--progress=plain")
	assert.Assert(t, err != nil, "an untested release built:\n%s", tail(out, 20))
	assert.Check(t, is.Contains(out, "the release would ship untested"))
}

func gunzip(dt []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(dt))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, 1<<30))
}
