package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/internal/daemon"
	"github.com/stagefile/stagefile/internal/image"
)

// environ is the daemon and registry hack/up.sh started.
type environ struct {
	buildkit, registry, root string
}

func environment() (*environ, error) {
	e := &environ{buildkit: os.Getenv("BUILDKIT_HOST"), registry: os.Getenv("STAGEFILE_REGISTRY")}
	if e.buildkit == "" || e.registry == "" {
		return nil, errors.New("BUILDKIT_HOST and STAGEFILE_REGISTRY are not set: run `make bench`, which starts BuildKit and the registry")
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	e.root = wd
	if _, err := os.Stat(filepath.Join(wd, "bench", "node-yarn", "Dockerfile.expert")); err != nil {
		return nil, errors.New("run from the repository root")
	}
	return e, nil
}

// header states what was measured on: versions and machine.
func (e *environ) header() (string, error) {
	out, err := exec.Command("buildctl", "--addr", e.buildkit, "debug", "info").CombinedOutput()
	if err != nil {
		return "", errors.Wrapf(err, "buildctl debug info: %s", out)
	}
	version := strings.TrimSpace(string(out))
	fe, err := image.FromRegistry(e.registry + "/stagefile/stagefile:1")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Stagefile vs the 2018 multi-stage Dockerfile and an expert one, one daemon, same run\n\n"+
		"- %s\n- machine: %d cores, %s/%s\n- frontend image: %.2f MB compressed, %.2f MB uncompressed (target ≤ 20 MB)\n- date: %s\n",
		strings.ReplaceAll(version, "\n", ", "), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH,
		mb(fe.CompressedSize()), mb(fe.UncompressedSize()), time.Now().UTC().Format("2006-01-02 15:04 MST")), nil
}

func (e *environ) prune() error {
	out, err := exec.Command("buildctl", "--addr", e.buildkit, "prune", "--all").CombinedOutput()
	return errors.Wrapf(err, "prune: %s", out)
}

// variant is one way of building an app, each in its own copy of the
// example.
type variant struct {
	name    string // as the table shows it
	slug    string // in the release image's name
	file    string // the build definition, passed as the dockerfile.v0 filename
	inBench bool   // file is kept in bench/<app>/, not in the example
	ignore  string // added to the copy's .dockerignore
	dir     string
}

func (v *variant) ref(e *environ, a app) string {
	return fmt.Sprintf("%s/bench/%s-%s:latest", e.registry, a.name, v.slug)
}

// token is in .npmrc, which the 2018 Dockerfile copies as the pattern
// does; finding it in a release means a registry token shipped.
const token = "stagefile-bench-token-0f3c9a"

// prepare copies the example with the variant's build definition and an
// .npmrc, and adds the dependency the bump scenario moves.
func (v *variant) prepare(e *environ, a app) error {
	dir, err := os.MkdirTemp("", "stagefile-bench-")
	if err != nil {
		return err
	}
	v.dir = filepath.Join(dir, a.name)
	if err := os.CopyFS(v.dir, os.DirFS(filepath.Join(e.root, "examples", a.name))); err != nil {
		return err
	}
	if v.inBench {
		def, err := os.ReadFile(filepath.Join(e.root, "bench", a.name, v.file))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(v.dir, v.file), def, 0o644); err != nil {
			return err
		}
	}
	if v.ignore != "" {
		f, err := os.OpenFile(filepath.Join(v.dir, ".dockerignore"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f, "\n%s\n", v.ignore)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	npmrc := "//npm.example.invalid/:_authToken=" + token + "\n"
	if err := os.WriteFile(filepath.Join(v.dir, ".npmrc"), []byte(npmrc), 0o600); err != nil {
		return err
	}
	_, setup, _ := a.bumps()
	return v.bump(e, a, setup)
}

// editSource changes a source file the tests and the build read.
func (v *variant) editSource(a app, run int) error {
	f, err := os.OpenFile(filepath.Join(v.dir, a.edit), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "// bench edit %d %d\n", run, time.Now().UnixNano())
	return err
}

// bump moves a dependency to version in the manifest and the lockfile,
// with the package manager itself (untimed).
func (v *variant) bump(e *environ, a app, version string) error {
	pkg, _, _ := a.bumps()
	var cmd *exec.Cmd
	switch a.pm {
	case "yarn":
		cmd = exec.Command("npx", "--yes", "yarn@1.22.22", "add", pkg+"@"+version, "--ignore-scripts", "--non-interactive", "--silent", "--no-progress")
	case "uv":
		uv, err := e.uv()
		if err != nil {
			return err
		}
		cmd = exec.Command(uv, "add", "--no-sync", pkg+"=="+version)
		cmd.Env = append(os.Environ(), "UV_NATIVE_TLS=1") // the system's CAs, as pip uses
	default:
		cmd = exec.Command("npm", "install", pkg+"@"+version, "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund")
	}
	cmd.Dir = v.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.Wrapf(err, "bumping %s to %s: %s", pkg, version, out)
	}
	return nil
}

// uvVersion is the uv the python preset pins; the bump writes uv.lock with it.
const uvVersion = "0.13.9"

// uv installs uv once into .cache/bench-tools, for the python bumps.
func (e *environ) uv() (string, error) {
	venv := filepath.Join(e.root, ".cache", "bench-tools", "uv")
	bin := filepath.Join(venv, "bin", "uv")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	for _, args := range [][]string{{"python3", "-m", "venv", venv}, {filepath.Join(venv, "bin", "pip"), "install", "-q", "uv==" + uvVersion}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return "", errors.Wrapf(err, "installing uv for the python bumps: %s", out)
		}
	}
	return bin, nil
}

// buildFresh builds on a new, empty daemon with the build cache in the
// registry at cacheRef, as a CI job does; the daemon's start is not timed.
func (v *variant) buildFresh(e *environ, a app, cacheRef string) (time.Duration, []step, error) {
	d, err := daemon.Start(filepath.Join(e.root, ".cache", "run", "buildkitd.toml"))
	if err != nil {
		return 0, nil, err
	}
	defer d.Stop()
	return v.build(e, a, d.Addr,
		"--import-cache", "type=registry,ref="+cacheRef+",registry.insecure=true",
		"--export-cache", "type=registry,ref="+cacheRef+",mode=max,registry.insecure=true")
}

// build runs one build through buildctl on the daemon at addr, pushing
// the release, and returns its wall-clock time and the steps that took
// longest.
func (v *variant) build(e *environ, a app, addr string, extra ...string) (time.Duration, []step, error) {
	args := append([]string{"--addr", addr, "build", "--progress=rawjson",
		"--frontend", "dockerfile.v0", "--local", "context=" + v.dir, "--local", "dockerfile=" + v.dir,
		"--opt", "filename=" + v.file,
		"--output", "type=image,name=" + v.ref(e, a) + ",push=true,registry.insecure=true"}, extra...)
	cmd := exec.Command("buildctl", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		lines := strings.Split(out.String(), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		return 0, nil, errors.Errorf("%s build of %s failed: %v\n%s", v.name, a.name, err, strings.Join(lines, "\n"))
	}
	return d, slowest(out.Bytes(), 4), nil
}

// step is one vertex of a build and how long it ran.
type step struct {
	name string
	took time.Duration
}

// slowest reads a rawjson progress stream and returns the n longest steps.
func slowest(stream []byte, n int) []step {
	byDigest := map[string]*client.Vertex{}
	dec := json.NewDecoder(bytes.NewReader(stream))
	for {
		var st client.SolveStatus
		if dec.Decode(&st) != nil {
			break
		}
		for _, v := range st.Vertexes {
			byDigest[v.Digest.String()] = v
		}
	}
	var steps []step
	for _, v := range byDigest {
		if v.Started != nil && v.Completed != nil && !v.Cached {
			steps = append(steps, step{shortName(v.Name), v.Completed.Sub(*v.Started)})
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].took > steps[j].took })
	if len(steps) > n {
		steps = steps[:n]
	}
	return steps
}

// shortName is a step's name on one line without RUN's --mount flags,
// which make the expert Dockerfile's steps unreadable in the table.
func shortName(name string) string {
	var words []string
	for _, w := range strings.Fields(name) {
		if !strings.HasPrefix(w, "--mount=") {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// releaseInfo is what the last release of a variant weighs and holds.
type releaseInfo struct {
	compressed, uncompressed, beyondBase int64
	ships, devDeps, cache, secret        bool
}

func inspect(e *environ, a app, v *variant) (*releaseInfo, error) {
	img, err := image.FromRegistry(v.ref(e, a))
	if err != nil {
		return nil, err
	}
	base, err := image.FromRegistry(e.registry + "/" + a.base)
	if err != nil {
		return nil, err
	}
	inBase := map[string]bool{}
	for _, l := range base.Layers {
		inBase[l.Digest] = true
	}
	info := &releaseInfo{compressed: img.CompressedSize(), uncompressed: img.UncompressedSize()}
	for _, l := range img.Layers {
		if !inBase[l.Digest] {
			info.beyondBase += l.FileBytes()
		}
		if bytes.Contains(l.Tar, []byte(token)) {
			info.secret = true
		}
	}
	files, err := img.Files()
	if err != nil {
		return nil, err
	}
	has := func(p string) bool { return files[p] != nil || len(image.Under(files, p)) > 0 }
	info.ships = true
	for _, p := range a.ships {
		info.ships = info.ships && has(path.Join("app", p))
	}
	info.devDeps = has(a.dev)
	for _, dir := range a.cache {
		if len(image.Under(files, dir)) > 0 {
			info.cache = true
		}
	}
	return info, nil
}
