// Package contextdir reads named files of a build context, the same way
// whether the context is what BuildKit solved for the frontend or a
// folder on disk for the CLI: wildcard names expanded a folder level at a
// time, missing and non-regular files left out, every file bounded. The
// frontend and `stagefile check|plan|llb` read through ReadTree, so a
// preset sees the same files in both.
package contextdir

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/plan"
)

// Tree is a build context's files, .dockerignore applied.
type Tree interface {
	// ReadDir lists the entries of dir (relative, "" the root) whose
	// names match pattern (path.Match); an error when dir is no folder.
	ReadDir(dir, pattern string) ([]Entry, error)
	// Stat says how large name is and whether it is a regular file; an
	// error wrapping fs.ErrNotExist when it is not there.
	Stat(name string) (size int64, regular bool, err error)
	// ReadFile reads at most limit bytes of name.
	ReadFile(name string, limit int64) ([]byte, error)
}

// Entry is a name in a folder.
type Entry struct {
	Name string
	Dir  bool
}

// ReadTree reads names from t. A wildcard name gives the files it
// matches, at most plan.MaxMatches of them; a file that is missing or not
// a regular file is left out; one over plan.MaxFileSize is an error.
func ReadTree(t Tree, names []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	// sizes first: nothing is read when the files are more than a preset
	// may read in all (plan.MaxTotalRead)
	var read []string
	var total int64
	for _, name := range expand(t, names) {
		size, regular, err := t.Stat(name)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !regular {
			continue
		}
		if err != nil {
			return nil, errors.Wrapf(err, "reading %s", name)
		}
		if size > plan.MaxFileSize {
			return nil, errors.Wrapf(plan.ErrTooLarge, "%s is %d bytes, more than the %d a preset reads", name, size, plan.MaxFileSize)
		}
		if total += size; total > plan.MaxTotalRead {
			return nil, errors.Wrapf(plan.ErrTooLarge, "the files a preset reads are more than %d bytes in all (%s among them)", plan.MaxTotalRead, name)
		}
		read = append(read, name)
	}
	for _, name := range read {
		dt, err := t.ReadFile(name, plan.MaxFileSize)
		if err != nil {
			return nil, errors.Wrapf(err, "reading %s", name)
		}
		files[name] = dt
	}
	return files, nil
}

// expand replaces each wildcard name by the paths it matches, a folder
// level at a time, at most plan.MaxMatches per name.
func expand(t Tree, names []string) []string {
	var out []string
	for _, name := range names {
		if !plan.HasWildcard(name) {
			out = append(out, path.Clean(name))
			continue
		}
		found := []string{""}
		segs := strings.Split(path.Clean(name), "/")
		for i, seg := range segs {
			var next []string
			for _, dir := range found {
				if !plan.HasWildcard(seg) {
					next = append(next, path.Join(dir, seg))
					continue
				}
				entries, err := t.ReadDir(dir, seg)
				if err != nil {
					continue // no such folder
				}
				for _, e := range entries {
					if e.Dir == (i < len(segs)-1) {
						next = append(next, path.Join(dir, e.Name))
					}
				}
			}
			if len(next) > plan.MaxMatches {
				next = next[:plan.MaxMatches]
			}
			found = next
		}
		out = append(out, found...)
	}
	return out
}

// ReadFiles reads names from the context folder dir, its .dockerignore
// applied.
func ReadFiles(dir string, names []string) (map[string][]byte, error) {
	return ReadFilesIgnoring(dir, "", names)
}

// ReadFilesIgnoring reads names from the context folder dir as BuildKit
// sends it to the frontend: the ignore file (the Stagefile's own
// FILE.dockerignore, when it has one) applied, else dir's .dockerignore;
// os.Root refuses any path, or symlink, that leaves dir.
func ReadFilesIgnoring(dir, ignoreFile string, names []string) (map[string][]byte, error) {
	d, err := openDisk(dir, ignoreFile)
	if err != nil {
		return nil, err
	}
	defer d.root.Close()
	return ReadTree(d, names)
}

// ReadHeads reads the first limit bytes of each of names from the
// context folder dir, its .dockerignore applied, as ReadFiles does
// otherwise: for readers that scan a file (stagefile init looking for the
// port a server listens on), however large it is. A file it cannot read
// (a symlink out of dir, no permission) is left out, as a missing one:
// the scan is a hint, never a reason to fail.
func ReadHeads(dir string, names []string, limit int64) (map[string][]byte, error) {
	d, err := openDisk(dir, "")
	if err != nil {
		return nil, err
	}
	defer d.root.Close()
	files := map[string][]byte{}
	for _, name := range expand(d, names) {
		if _, regular, err := d.Stat(name); err != nil || !regular {
			continue
		}
		if dt, err := d.ReadFile(name, limit); err == nil {
			files[name] = dt
		}
	}
	return files, nil
}

// openDisk opens the context folder dir with its ignore file.
func openDisk(dir, ignoreFile string) (*disk, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, errors.Wrap(err, "opening the build context")
	}
	d := &disk{root: root}
	var patterns []string
	if ignoreFile != "" {
		f, err := os.Open(ignoreFile)
		if err != nil {
			root.Close()
			return nil, err
		}
		patterns, err = ignorefile.ReadAll(io.LimitReader(f, plan.MaxFileSize))
		f.Close()
		if err != nil {
			root.Close()
			return nil, errors.Wrapf(err, "reading %s", filepath.Base(ignoreFile))
		}
	} else if f, err := root.Open(".dockerignore"); err == nil {
		patterns, err = ignorefile.ReadAll(io.LimitReader(f, plan.MaxFileSize))
		f.Close()
		if err != nil {
			root.Close()
			return nil, errors.Wrap(err, "reading .dockerignore")
		}
	}
	if len(patterns) > 0 {
		if d.ignore, err = patternmatcher.New(patterns); err != nil {
			root.Close()
			return nil, errors.Wrap(err, "reading the ignore file")
		}
	}
	return d, nil
}

// disk is a context folder on disk.
type disk struct {
	root   *os.Root
	ignore *patternmatcher.PatternMatcher
}

func (d *disk) ignored(name string) bool {
	if d.ignore == nil {
		return false
	}
	skip, _ := d.ignore.MatchesOrParentMatches(name)
	return skip
}

func (d *disk) ReadDir(dir, pattern string) ([]Entry, error) {
	if dir == "" {
		dir = "."
	}
	if dir != "." && d.ignored(dir) {
		return nil, fs.ErrNotExist
	}
	entries, err := fs.ReadDir(d.root.FS(), dir)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range entries {
		if ok, _ := path.Match(pattern, e.Name()); !ok || d.ignored(path.Join(dir, e.Name())) {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			// a link is what it points at, inside the folder only
			if st, err := d.root.Stat(path.Join(dir, e.Name())); err == nil {
				isDir = st.IsDir()
			} else {
				continue
			}
		}
		out = append(out, Entry{Name: e.Name(), Dir: isDir})
	}
	return out, nil
}

func (d *disk) Stat(name string) (int64, bool, error) {
	if d.ignored(name) {
		return 0, false, fs.ErrNotExist
	}
	st, err := d.root.Stat(name)
	if err != nil {
		return 0, false, err
	}
	return st.Size(), st.Mode().IsRegular(), nil
}

func (d *disk) ReadFile(name string, limit int64) ([]byte, error) {
	f, err := d.root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}
