package integration

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// The multi-platform tests build for linux/amd64 and linux/arm64 on this
// amd64 machine: arm64 steps run under QEMU (hack/binfmt.sh), from the
// arm64 base images hack/images.sh assembles.
const twoPlatforms = "platform=linux/amd64,linux/arm64"

// buildTwoPlatforms builds dir's Stagefile for both platforms and pushes
// it; the index must hold an image for each.
func buildTwoPlatforms(t *testing.T, dir, name string, args ...string) (string, *progress) {
	t.Helper()
	ref := uniqueRef(t, name)
	out, err := buildctl(t, dir, append([]string{"--progress=rawjson", "--opt", twoPlatforms, "--output", pushOutput(ref)}, args...)...)
	p := parseProgress(t, out)
	t.Logf("steps:\n%s", p.summary())
	assert.NilError(t, err, tail(out, 20))
	plats, err := image.Platforms(ref)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(plats, []string{"linux/amd64", "linux/arm64"}))
	return ref, p
}

// runOn pulls ref's image for linux/arch into the engine and runs it,
// offline, with args after the image's entrypoint; it returns the output.
func runOn(t *testing.T, ref, arch string, args ...string) string {
	t.Helper()
	out, err := run(t, "", dockerEnv(), "docker", "pull", "--platform", "linux/"+arch, ref)
	assert.NilError(t, err, out)
	out, err = run(t, "", dockerEnv(), "docker", append([]string{"run", "--rm", "--platform", "linux/" + arch, "--network", "none", ref}, args...)...)
	assert.NilError(t, err, out)
	return strings.TrimSpace(out)
}

// archTest is a node:test file that prints the platform it runs on, and
// fails on failOn (a process.arch, or "" for never).
func archTest(failOn string) string {
	// unique, so the tests run (and print) on every run of this test
	return fmt.Sprintf("// %d\n", unique()) + `const { test } = require("node:test");
test("runs on " + process.arch, () => {
  if (process.arch === "` + failOn + `") throw new Error("this test fails on " + process.arch);
});
`
}

// TestMultiPlatformYarn: yarn's lockfile does not say whether a package
// is for one platform, so the frontend installs on the build platform,
// checks the tree, and finds node-yarn's portable: arm64 takes the same
// installs, and only its tests and build run under QEMU. The arm64 image
// runs there and answers its health check.
func TestMultiPlatformYarn(t *testing.T) {
	// serial: arm64 under QEMU (see the package comment)
	requireDocker(t)
	dir := example(t, "node-yarn")
	ref, p := buildTwoPlatforms(t, dir, "multi-platform-yarn")
	p.step(t, "[development] would this install differ on another platform?")
	p.step(t, "[development linux/arm64] workdir as the install on linux/amd64 left it")
	for _, d := range p.order {
		name := p.vertices[d].Name
		assert.Check(t, !strings.Contains(name, "linux/arm64") || !strings.Contains(name, "yarn install"), "arm64 installed on its own: %s", name)
	}
	img, err := image.FromRegistryFor(ref, "linux/arm64")
	assert.NilError(t, err)
	files := filesOf(t, img)
	assert.Check(t, files["app/node_modules/express/package.json"] != nil)
	assert.Check(t, is.Equal(elfMachine(t, files["usr/local/bin/node"]), elf.EM_AARCH64))

	assert.Check(t, is.Equal(runOn(t, ref, "arm64", "-p", "process.arch"), "arm64"))
	runContainer(t, ref, "--platform", "linux/arm64")
}

// TestMultiPlatformPrebuiltBinaries: one build gives an index with an
// image per platform, each tested on its own platform.
// examples/node-multiplatform depends on @node-rs/bcrypt, whose binary
// comes in one optional package per platform and no install script:
// installed natively for each target, each image holds its own
// platform's package only, and runs it; each SBOM lists its own.
func TestMultiPlatformPrebuiltBinaries(t *testing.T) {
	// serial: arm64 under QEMU (see the package comment)
	requireDocker(t)
	dir := example(t, "node-multiplatform")
	writeFile(t, filepath.Join(dir, "test", "arch.test.js"), archTest(""))
	ref, p := buildTwoPlatforms(t, dir, "node-multiplatform", "--opt", "attest:sbom=")
	// arm64's installs ran on the build platform, its tests on arm64
	p.step(t, "[dependencies linux/arm64 on linux/amd64] ")
	p.step(t, "[development linux/arm64 on linux/amd64] ")
	assert.Check(t, is.Contains(p.log(p.step(t, "[test linux/amd64] npm run test")), "runs on x64"))
	assert.Check(t, is.Contains(p.log(p.step(t, "[test linux/arm64] npm run test")), "runs on arm64"))
	own := map[string]string{"amd64": "bcrypt-linux-x64-gnu", "arm64": "bcrypt-linux-arm64-gnu"}
	for arch, pkg := range own {
		img, err := image.FromRegistryFor(ref, "linux/"+arch)
		assert.NilError(t, err)
		assert.Check(t, is.Equal(img.Config.Architecture, arch))
		files := filesOf(t, img)
		assert.Check(t, is.Equal(elfMachine(t, files["usr/local/bin/node"]), map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]))
		assert.Check(t, files["app/src/server.js"] != nil, "%s release has the app", arch)
		assert.Check(t, files["app/test/app.test.js"] == nil, "%s release has the tests", arch)
		var natives []string
		for _, name := range image.Under(files, "app/node_modules/@node-rs") {
			if strings.Count(name, "/") == 4 && strings.HasSuffix(name, "/package.json") {
				natives = append(natives, strings.Split(name, "/")[3])
			}
		}
		assert.Check(t, is.DeepEqual(natives, []string{pkg, "bcrypt"}), "%s release", arch)
	}
	for arch, pkg := range own {
		atts, err := image.AttestationsFor(ref, "linux/"+arch)
		assert.NilError(t, err)
		var doc struct {
			Predicate struct {
				Packages []struct{ Name string } `json:"packages"`
			} `json:"predicate"`
		}
		assert.NilError(t, json.Unmarshal(atts["https://spdx.dev/Document"], &doc), "%s: %v", arch, keys(atts))
		var names []string
		for _, p := range doc.Predicate.Packages {
			names = append(names, p.Name)
		}
		assert.Check(t, is.Contains(strings.Join(names, " "), "@node-rs/"+pkg), "%s SBOM", arch)
		other := own[map[string]string{"amd64": "arm64", "arm64": "amd64"}[arch]]
		assert.Check(t, !strings.Contains(strings.Join(names, " "), "@node-rs/"+other), "%s SBOM lists %s", arch, other)
	}

	for _, arch := range []string{"amd64", "arm64"} {
		out := runOn(t, ref, arch, "-e", `require("@node-rs/bcrypt").hash("x", 4).then(h => console.log(process.arch, h.slice(0, 2)))`)
		assert.Check(t, is.Equal(out, map[string]string{"amd64": "x64", "arm64": "arm64"}[arch]+" $2"))
	}
	runContainer(t, ref, "--platform", "linux/arm64")
}

// TestMultiPlatformFailingTest: a test that fails on one platform only
// fails the whole build, and nothing is pushed.
func TestMultiPlatformFailingTest(t *testing.T) {
	// serial: arm64 under QEMU (see the package comment)
	dir := example(t, "node-multiplatform")
	writeFile(t, filepath.Join(dir, "test", "arch.test.js"), archTest("arm64"))
	ref := uniqueRef(t, "multi-platform-failing")
	out, err := buildctl(t, dir, "--progress=plain", "--opt", twoPlatforms, "--output", pushOutput(ref))
	assert.Check(t, err != nil, "a test failing on arm64 did not fail the build:\n%s", tail(out, 20))
	assert.Check(t, is.Contains(out, "this test fails on arm64"))
	assert.Check(t, is.Contains(out, "[test linux/arm64]"))
	assert.Check(t, !inRegistry(t, ref), "a failed build pushed %s", ref)
}

// TestMultiPlatformNativeAddon: bcrypt runs an install script, so each
// platform installs, and compiles it, on that platform; each release's
// addon is a binary of its own platform and loads there.
func TestMultiPlatformNativeAddon(t *testing.T) {
	// serial: arm64 under QEMU (see the package comment)
	dir := example(t, "node-native")
	ref, p := buildTwoPlatforms(t, dir, "multi-platform-native")
	p.step(t, "[dependencies linux/arm64, emulated: bcrypt runs an install script] ")
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		img, err := image.FromRegistryFor(ref, "linux/"+arch)
		assert.NilError(t, err)
		var addon *image.File
		for name, f := range filesOf(t, img) {
			// node-gyp's output and its copy: one of them may be a hard link
			if strings.HasPrefix(name, "app/node_modules/bcrypt/") && strings.HasSuffix(name, "/bcrypt_lib.node") && len(f.Data) > 0 {
				addon = f
			}
		}
		assert.Assert(t, addon != nil, "%s release has no bcrypt_lib.node", arch)
		assert.Check(t, is.Equal(elfMachine(t, addon), machine), "%s release's addon", arch)
	}
	// and the arm64 release runs it, under QEMU
	requireDocker(t)
	out := runOn(t, ref, "arm64", "-e", `require("bcrypt").hash("x", 4).then(h => console.log(process.arch, h.slice(0, 7)))`)
	assert.Check(t, is.Equal(out, "arm64 $2b$04$"))
}

// TestBaseImageWithoutPlatform: a base image that has no image for a
// target platform fails the build with the Stagefile line that names it.
func TestBaseImageWithoutPlatform(t *testing.T) {
	t.Parallel()
	dir := example(t, "node-npm")
	stagefile := readFile(t, filepath.Join(dir, "Stagefile"))
	// the harness assembles the python images for linux/amd64 only
	stagefile = strings.Replace(stagefile, "release:\n", "release:\n  image: python:3.11-slim-bookworm\n", 1)
	writeFile(t, filepath.Join(dir, "Stagefile"), stagefile)
	out, err := buildctl(t, dir, "--progress=plain", "--opt", "platform=linux/arm64")
	assert.Check(t, err != nil, "built for a platform the base image lacks:\n%s", tail(out, 20))
	assert.Check(t, is.Contains(out, "Stagefile:"), tail(out, 20))
	assert.Check(t, is.Contains(out, "linux/arm64"), tail(out, 20))
}

// elfMachine is the architecture an ELF file was built for.
func elfMachine(t *testing.T, f *image.File) elf.Machine {
	t.Helper()
	assert.Assert(t, f != nil)
	e, err := elf.NewFile(bytes.NewReader(f.Data))
	assert.NilError(t, err)
	return e.Machine
}
