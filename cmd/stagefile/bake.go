package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/frontend"
	"github.com/stagefile/stagefile/spec"
)

// bakeLimits bound the walk of `stagefile bake`: run on a folder that is
// not a repository (/, a home folder) it stops with a message instead of
// reading for minutes. A large monorepo, its dependency folders skipped,
// is far below each. Tests lower them.
var bakeLimits = struct {
	Stagefiles int // Stagefiles found
	Dirs       int // folders read
	Entries    int // files and folders listed, in all folders read
}{Stagefiles: 1000, Dirs: 100_000, Entries: 1_000_000}

// bakeSkipped are the folders the walk never enters, wherever they are:
// version control, and what package managers and tools install or cache.
// A Stagefile in them is a dependency's, not an app of the repository.
// docs/stagefile.md lists them.
var bakeSkipped = []string{
	".git", ".hg", ".svn",
	"node_modules", "bower_components", ".yarn", ".pnpm-store",
	".venv", "venv", "__pypackages__", "__pycache__", ".tox", ".nox",
	"vendor", ".gradle", ".terraform", ".cache",
}

// bakeNameLimit bounds a target name, in bytes.
const bakeNameLimit = 64

// bakeApp is one Stagefile found, and its bake target.
type bakeApp struct {
	folders    []string // the folders naming the target, outermost first
	context    string   // the build context, relative to DIR
	dockerfile string   // the Stagefile, relative to the context (bake's "dockerfile")
	name       string   // the target name
}

// bake prints a bake file (JSON) with a target per Stagefile under a
// folder and a "default" group of them all, for `docker buildx bake`.
func bake(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &command{fs: fs, operand: "folder"}
	c.context = fs.String("context", "", "the build context of every target (default: each Stagefile's, as stagefile check finds it)")
	prefix := fs.String("tag-prefix", "", "tag each target PREFIX + its name, e.g. ghcr.io/acme/ (default: no tags)")
	dir, err := c.parse(args)
	if err != nil {
		return usageError(stderr, err)
	}
	if dir == "" {
		dir = "."
	}
	if *prefix != "" {
		if err := checkTag(*prefix + "app"); err != nil {
			return usageError(stderr, errors.Errorf("--tag-prefix %q: %v", spec.Printable(*prefix, spec.ValueLimit), err))
		}
	}
	out, warnings, err := bakeFile(dir, *c.context, *prefix)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	stdout.Write(out)
	return 0
}

// bakeFile finds the Stagefiles under dir, parses each, and returns the
// bake file, with every path in it relative to dir: bake reads paths
// relative to the folder it runs in. An invalid Stagefile fails it, with
// every problem of every Stagefile in the error.
func bakeFile(dir, contextDir, tagPrefix string) ([]byte, []string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, nil, err
	} else if !st.IsDir() {
		return nil, nil, errors.Errorf("%s is not a folder (give the folder to search for Stagefiles)", spec.Printable(dir, -1))
	}
	if contextDir != "" {
		if st, err := os.Stat(contextDir); err != nil {
			return nil, nil, errors.Wrap(err, "--context")
		} else if !st.IsDir() {
			return nil, nil, errors.Errorf("--context %s is not a folder", spec.Printable(contextDir, -1))
		}
	}
	found, problems, err := findStagefiles(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(found) == 0 && len(problems) == 0 {
		return nil, nil, errors.Errorf("no file named %s under %s (folders not searched: %s)",
			frontend.DefaultFilename, spec.Printable(dir, -1), strings.Join(bakeSkipped, ", "))
	}
	var (
		apps     []*bakeApp
		warnings []string
		failed   int
	)
	for _, rel := range found {
		a, warning, err := readApp(dir, absDir, rel, contextDir)
		if warning != "" {
			warnings = append(warnings, warning)
		}
		if err != nil {
			failed++
			problems = append(problems, err.Error())
			continue
		}
		apps = append(apps, a)
	}
	if len(problems) > 0 {
		summary := fmt.Sprintf("%d of the %d Stagefiles under %s have errors", failed, len(found), spec.Printable(dir, -1))
		if failed == 0 {
			summary = fmt.Sprintf("folders under %s could not be read (%d)", spec.Printable(dir, -1), len(problems))
		}
		return nil, warnings, errors.Errorf("%s\nno bake file printed: %s", strings.Join(problems, "\n"), summary)
	}
	nameTargets(apps, filepath.Base(absDir))
	out, err := marshalBake(apps, tagPrefix)
	return out, warnings, err
}

// readApp parses the Stagefile at rel under dir and finds its context:
// contextDir when given, else the one `stagefile check` uses.
func readApp(dir, absDir, rel, contextDir string) (*bakeApp, string, error) {
	file := filepath.Join(dir, filepath.FromSlash(rel))
	if !printablePath(rel) {
		return nil, "", errors.Errorf("%s: the path holds control characters or is not UTF-8; rename it (a bake file, BuildKit and a terminal would each show it differently)",
			spec.Printable(file, 2*spec.ValueLimit))
	}
	data, err := readBounded(file, int64(spec.DefaultLimits.Size), "a Stagefile")
	if err != nil {
		return nil, "", err
	}
	s, err := spec.Parse(file, data)
	if err != nil {
		return nil, "", err
	}
	var warning string
	if _, _, _, ok := parser.DetectSyntax(data); !ok {
		warning = fmt.Sprintf("%s:1:1: no \"# syntax=\" line: docker buildx bake would build it as a Dockerfile (write \"# syntax=docker.io/stagefile/stagefile:1\" on its first line)", file)
	}
	ctx := contextDir
	if ctx == "" {
		ctx = defaultContext(file, s)
	}
	absCtx, err := filepath.Abs(ctx)
	if err != nil {
		return nil, warning, err
	}
	absFile := filepath.Join(absDir, filepath.FromSlash(rel))
	relCtx, err := filepath.Rel(absDir, absCtx)
	if err != nil {
		return nil, warning, errors.Wrap(err, file)
	}
	dockerfile, err := filepath.Rel(absCtx, absFile)
	if err != nil {
		return nil, warning, errors.Wrap(err, file)
	}
	a := &bakeApp{
		context:    filepath.ToSlash(relCtx),
		dockerfile: filepath.ToSlash(dockerfile),
	}
	if !printablePath(a.context) || !printablePath(a.dockerfile) {
		return nil, warning, errors.Errorf("%s: its context %s or its path from there holds control characters or is not UTF-8; rename it",
			file, spec.Printable(a.context, 2*spec.ValueLimit))
	}
	if folder := path.Dir(rel); folder != "." {
		a.folders = strings.Split(folder, "/")
	}
	return a, warning, nil
}

// findStagefiles returns the files named Stagefile under dir, relative
// to it, slash-separated and sorted. It follows no symlink to a folder
// (a loop costs nothing, and nothing outside dir is listed), opens every
// folder through an os.Root (nothing outside dir is opened either), and
// enters no folder named in bakeSkipped. A folder it cannot read is a
// problem; going over a limit of bakeLimits is an error.
func findStagefiles(dir string) (files, problems []string, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	tooMany := func(n int, what string) error {
		return errors.Errorf("%s: more than %d %s; is it the repository? (give the folder of the apps)", spec.Printable(dir, -1), n, what)
	}
	var dirs, entries int
	todo := []string{"."}
	for len(todo) > 0 {
		d := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if dirs++; dirs > bakeLimits.Dirs {
			return nil, nil, tooMany(bakeLimits.Dirs, "folders to search")
		}
		unreadable := func(err error) {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			problems = append(problems, spec.Printable(fmt.Sprintf("%s: cannot read the folder: %v", filepath.Join(dir, filepath.FromSlash(d)), err), -1))
		}
		f, err := root.Open(filepath.FromSlash(d))
		if err != nil {
			unreadable(err)
			continue
		}
		for {
			list, err := f.ReadDir(256)
			for _, e := range list {
				if entries++; entries > bakeLimits.Entries {
					f.Close()
					return nil, nil, tooMany(bakeLimits.Entries, "files and folders to list")
				}
				name := e.Name()
				switch {
				case e.IsDir(): // as listed: a symlink is not a folder
					if !slices.Contains(bakeSkipped, name) {
						todo = append(todo, path.Join(d, name))
					}
				case name == frontend.DefaultFilename && (e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0):
					// a symlink is read as `stagefile check` reads it: within its folder
					if files = append(files, path.Join(d, name)); len(files) > bakeLimits.Stagefiles {
						f.Close()
						return nil, nil, tooMany(bakeLimits.Stagefiles, "Stagefiles")
					}
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				unreadable(err)
				break
			}
		}
		f.Close()
	}
	slices.Sort(files)
	return files, problems, nil
}

// printablePath: s is valid UTF-8 and holds no control character, so the
// JSON, buildx and a terminal all show it as the file system has it.
func printablePath(s string) bool {
	return utf8.ValidString(s) && spec.Printable(s, -1) == s
}

// nameTargets names each app's target after its folder (apps/api: "api";
// an app at the root after the root's folder, rootName). Names that
// collide take their parent folder too ("apps-api", "services-api"),
// until they differ or no folder is left; what still collides gets a
// number ("api-2"), in path order. apps must be sorted by path.
func nameTargets(apps []*bakeApp, rootName string) {
	depth := make([]int, len(apps))
	folders := func(a *bakeApp) []string {
		if len(a.folders) == 0 {
			return []string{rootName}
		}
		return a.folders
	}
	for i := range apps {
		depth[i] = 1
	}
	for {
		byName := map[string][]int{}
		for i, a := range apps {
			a.name = targetName(folders(a), depth[i])
			byName[a.name] = append(byName[a.name], i)
		}
		grew := false
		for name, same := range byName {
			if len(same) == 1 && name != "default" {
				continue
			}
			for _, i := range same {
				if depth[i] < len(folders(apps[i])) {
					depth[i]++
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	// "default" is the group's; a name used once keeps it
	count := map[string]int{"default": 2}
	for _, a := range apps {
		count[a.name]++
	}
	used := map[string]bool{"default": true}
	for _, a := range apps {
		if count[a.name] == 1 {
			used[a.name] = true
		}
	}
	for _, a := range apps {
		if count[a.name] == 1 {
			continue
		}
		name := a.name
		for n := 2; used[name]; n++ {
			name = a.name + "-" + strconv.Itoa(n)
		}
		a.name = name
		used[name] = true
	}
}

// targetName is the last depth folders, lower case, every run of
// characters other than a-z and 0-9 written "-", joined with "-", at
// most bakeNameLimit bytes ("app" when nothing is left). Such a name is
// what bake accepts ([a-zA-Z0-9_-]) and a valid last component of an
// image name, for --tag-prefix.
func targetName(folders []string, depth int) string {
	var b strings.Builder
	sep := false
	for _, f := range folders[len(folders)-min(depth, len(folders)):] {
		for _, r := range strings.ToLower(f) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				if sep && b.Len() > 0 {
					b.WriteByte('-')
				}
				b.WriteRune(r)
				sep = false
			} else {
				sep = true
			}
		}
		sep = true
	}
	name := b.String()
	if len(name) > bakeNameLimit {
		name = strings.TrimLeft(name[len(name)-bakeNameLimit:], "-")
	}
	if name == "" {
		return "app"
	}
	return name
}

// checkTag: tag is an image name without tag or digest.
func checkTag(tag string) error {
	ref, err := reference.ParseNormalizedNamed(tag)
	if err != nil {
		return err
	}
	if !reference.IsNameOnly(ref) {
		return errors.New("give a name prefix, without a :tag or @digest")
	}
	return nil
}

type bakeTarget struct {
	Context    string   `json:"context"`
	Dockerfile string   `json:"dockerfile"`
	Tags       []string `json:"tags,omitempty"`
}

type bakeGroup struct {
	Targets []string `json:"targets"`
}

// marshalBake writes the bake file: the "default" group and the targets,
// sorted by name. bake reads a JSON file as HCL's JSON syntax, where a
// string is a template: hclLiteral keeps "${" and "%{" in a path literal.
func marshalBake(apps []*bakeApp, tagPrefix string) ([]byte, error) {
	var f struct {
		Group  map[string]bakeGroup  `json:"group"`
		Target map[string]bakeTarget `json:"target"`
	}
	f.Target = map[string]bakeTarget{}
	var names []string
	for _, a := range apps {
		t := bakeTarget{Context: hclLiteral(a.context), Dockerfile: hclLiteral(a.dockerfile)}
		if tagPrefix != "" {
			tag := tagPrefix + a.name
			if err := checkTag(tag); err != nil {
				return nil, errors.Errorf("--tag-prefix: %s: %v", spec.Printable(tag, 2*spec.ValueLimit), err)
			}
			t.Tags = []string{hclLiteral(tag)}
		}
		f.Target[a.name] = t
		names = append(names, a.name)
	}
	slices.Sort(names)
	f.Group = map[string]bakeGroup{"default": {Targets: names}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// hclLiteral escapes what an HCL template would expand: "${" is written
// "$${" and "%{" "%%{".
func hclLiteral(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(s)
}
