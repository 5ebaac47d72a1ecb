package node

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// defaultBun is the bun the preset installs when package.json pins none:
// the newest release when this frontend was made, which reads bun.lockb
// and every bun.lock up to lockfileVersion bunReads. Not the registry's
// newest, which would change under the build.
const defaultBun = "1.4.5"

// bunPin is a packageManager that pins bun: bun@VERSION, optionally with
// corepack's hash (+sha512.…), which npm does not take.
var bunPin = regexp.MustCompile(`^bun@([0-9]+(?:\.[0-9]+){0,2}(?:-[0-9A-Za-z.-]+)?)(?:\+[0-9A-Za-z.-]+)?$`)

// bunVersion is the bun the build installs and a release on bun runs, and
// what says so.
func bunVersion(pkg packageJSON, pm manager, lock *lockfile) (version, why string, err error) {
	if pkg.PackageManager != "" {
		m := bunPin.FindStringSubmatch(pkg.PackageManager)
		if m == nil {
			return "", "", fmt.Errorf("package.json's packageManager %s names no bun release (write e.g. \"bun@%s\")", printable(pkg.PackageManager), defaultBun)
		}
		return m[1], "package.json packageManager", nil
	}
	if pm.lockfile == "bun.lockb" {
		return defaultBun, "the newest bun this frontend knows, which reads bun.lockb", nil
	}
	if lock.version > bunReads {
		return "", "", fmt.Errorf("bun.lock's lockfileVersion %d is newer than what bun %s, the bun preset node installs, reads (pin the bun that wrote it: \"packageManager\": \"bun@VERSION\" in package.json)", lock.version, defaultBun)
	}
	return defaultBun, fmt.Sprintf("the newest bun this frontend knows, which reads bun.lock's lockfileVersion %d", lock.version), nil
}

// bunTools installs bun from npm's bun package, which ships its binary
// (@oven/bun-linux-x64, -aarch64, -musl: its postinstall links the one
// for the platform); bun --version fails the step when the postinstall
// did not run.
func bunTools(version string) [][]string {
	return [][]string{{"npm", "install", "-g", "bun@" + version, "--no-audit", "--no-fund"}, {"bun", "--version"}}
}

// bunRunsFile reports whether argv, bun's, runs the app's file in bun's
// own process (bun src/index.ts), not a package.json script (bun run
// start), which bun starts in a shell of its own.
func bunRunsFile(argv []string) bool {
	i, _, ok := Provider{}.Script(argv)
	return ok && i > 0 && path.Base(argv[0]) == "bun"
}

// bunFlagsWithValue are bun's flags whose value is the next word.
var bunFlagsWithValue = map[string]bool{"-r": true, "--preload": true, "--require": true, "--import": true,
	"--env-file": true, "-c": true, "--config": true, "--cwd": true, "--tsconfig-override": true,
	"-d": true, "--define": true, "-l": true, "--loader": true, "--conditions": true, "--main-fields": true,
	"--extension-order": true, "--jsx-factory": true, "--jsx-fragment": true, "--jsx-import-source": true,
	"--jsx-runtime": true, "--port": true, "--shell": true}

// bunScript finds the file of bun [run] [flags] FILE. A word is a file
// when it has an extension or a folder (bun run dev runs a script):
// bun tries the name as written, then its extensions and a folder's index.
func bunScript(argv []string) (int, []string, bool) {
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case i == 1 && a == "run":
		case a == "-e" || a == "--eval" || a == "-p" || a == "--print":
			return 0, nil, false
		case bunFlagsWithValue[a]:
			i++
		case strings.HasPrefix(a, "-"):
		case strings.Contains(a, "/") || bunFileExt[path.Ext(a)]:
			return i, []string{"", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", "/index.ts", "/index.js"}, true
		default:
			return 0, nil, false // a subcommand or a script's name
		}
	}
	return 0, nil, false
}

// bunFileExt are the extensions of the files bun runs and tests.
var bunFileExt = map[string]bool{".ts": true, ".tsx": true, ".js": true, ".jsx": true, ".mjs": true, ".cjs": true, ".mts": true, ".cts": true}

// bunStart is the file an app of bun's starts with on bun: that of a start
// script "bun [run] [flags] FILE", else package.json module when it is
// TypeScript and no start script says otherwise (bun init writes
// "module": "index.ts" and no scripts). A start script that runs anything
// else (node dist/server.js) keeps the app on node.
func bunStart(pkg packageJSON) (file, from string, flags []string) {
	started := false
	for _, name := range []string{"start", "start:prod", "start:production"} {
		s := strings.TrimSpace(pkg.Scripts[name])
		if s == "" {
			continue
		}
		started = true
		w := scriptWords(s)
		if len(w) > 1 && w[0] == "bun" {
			if i, _, ok := bunScript(w); ok && i == len(w)-1 {
				first := 1
				if w[1] == "run" {
					first = 2
				}
				return w[i], "package.json scripts." + name, w[first:i]
			}
		}
	}
	if ext := path.Ext(pkg.Module); !started && (ext == ".ts" || ext == ".tsx" || ext == ".mts") {
		return pkg.Module, "package.json module", nil
	}
	return "", "", nil
}

// bunTestDirs are where the preset looks for bun test's files, in the
// app's folder, when package.json has no test script: bun test finds
// them anywhere, these are where they are in practice. bunTestNames are
// the names bun test runs.
var (
	bunTestDirs  = []string{".", "test", "tests", "__tests__", "src", "src/*"}
	bunTestNames = []string{"*.test.*", "*_test_*", "*.spec.*", "*_spec_*"}
)

// bunTestFiles are the patterns of bun test's files in the app's folder.
func bunTestFiles(appDir string) []string {
	var out []string
	for _, d := range bunTestDirs {
		for _, n := range bunTestNames {
			out = append(out, path.Join(appDir, d, n))
		}
	}
	return out
}

// bunTestsToFind are the test files Files asks for once package.json and
// the lockfile are read: those of an app of bun's without a test script.
func bunTestsToFind(read map[string][]byte, app string) []string {
	var root packageJSON
	if dt, ok := read["package.json"]; !ok || readJSON(dt, &root) != nil {
		return nil
	}
	if pm, err := detectManager(read, root); err != nil || pm.name != bun {
		return nil
	}
	pkg := root
	if app != "." {
		pkg = packageJSON{}
		if dt, ok := read[path.Join(app, "package.json")]; !ok || readJSON(dt, &pkg) != nil {
			return nil
		}
	}
	if _, ok := pkg.Scripts["test"]; ok {
		return nil
	}
	return bunTestFiles(app)
}

// bunTestFile is a test file bun test would run among the files read, "" for none.
func bunTestFile(files map[string][]byte, appDir string) string {
	patterns := bunTestFiles(appDir)
	for _, name := range sortedKeys(files) {
		if !bunFileExt[path.Ext(name)] || strings.Contains(name, "node_modules/") {
			continue
		}
		if matchesAny(patterns, name) {
			return name
		}
	}
	return ""
}

// bunTest is test.run for an app of bun's: the test script (bun test
// itself when that is all it runs), else bun test when there are tests.
func (f *filler) bunTest(app packageJSON, appDir string) *plan.Command {
	if v, ok := app.Scripts["test"]; ok {
		if strings.Contains(v, "no test specified") {
			return nil
		}
		o := f.Origin("package.json scripts.test")
		if w := scriptWords(v); len(w) > 1 && w[0] == "bun" && w[1] == "test" {
			return plan.Argv(o, w) // no shell in between
		}
		return plan.Argv(o, []string{"bun", "run", "test"})
	}
	if file := bunTestFile(f.Facts.Files, appDir); file != "" {
		return plan.Argv(f.Origin("no scripts.test, and bun test runs "+printable(file)+" and the others"), []string{"bun", "test"})
	}
	return nil
}

// bunRelease starts the app with bun on bun's image, when package.json
// says it runs on bun (bunStart); false when it does not.
func (f *filler) bunRelease(app packageJSON) bool {
	file, from, flags := bunStart(app)
	if file == "" {
		return false
	}
	r := &f.P.Release
	if !r.Image.Set() {
		r.Image = plan.Value[string]{Value: "oven/bun:" + f.bun + "-slim",
			Origin: f.Origin(fmt.Sprintf("%s: the app runs on bun (%s), so the release runs on bun's image, bun %s (%s)", from, printable(file), f.bun, f.bunWhy))}
	}
	runtime := f.runtimeImage()
	f.user(runtime)
	if r.Entrypoint.Set() || r.Cmd.Set() {
		return true
	}
	if len(flags) > 0 {
		f.Warn(StartCommandGuess, f.Origin(from), "%s passes bun %s, which the release does not (bun %s); add what the app needs to release.entrypoint, e.g. [bun, %s]", strings.TrimPrefix(from, "package.json "), printable(strings.Join(flags, " ")), printable(file), printable(flags[0]))
	}
	o := f.Origin(from)
	if runtime != nil && runtime.Config != nil && startsProgram(runtime.Config.Config.Entrypoint, "bun") {
		r.Cmd = plan.Value[[]string]{Value: []string{file}, Origin: o}
		return true
	}
	r.Entrypoint = plan.Value[[]string]{Value: []string{"bun"}, Origin: f.Origin("bun as PID 1, running the app in its own process, so signals reach the app")}
	r.Cmd = plan.Value[[]string]{Value: []string{file}, Origin: o}
	return true
}
