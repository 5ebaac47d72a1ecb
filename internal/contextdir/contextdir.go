// Package contextdir reads files of a build context on disk as BuildKit
// would send them: .dockerignore applied, nothing outside the folder.
package contextdir

import (
	"io/fs"
	"os"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/pkg/errors"

	"github.com/stagefile/stagefile/plan"
)

// ReadFiles reads the named files of the context folder dir. A file that
// is missing, ignored or not a regular file is left out; a wildcard name
// gives the files it matches (at most plan.MaxMatches); os.Root refuses
// any path (or symlink) that leaves dir; a file over plan.MaxFileSize is
// an error.
func ReadFiles(dir string, names []string) (map[string][]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, errors.Wrap(err, "opening the build context")
	}
	defer root.Close()
	var ignore *patternmatcher.PatternMatcher
	if f, err := root.Open(".dockerignore"); err == nil {
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, errors.Wrap(err, "reading .dockerignore")
		}
		if ignore, err = patternmatcher.New(patterns); err != nil {
			return nil, errors.Wrap(err, "reading .dockerignore")
		}
	}
	files := map[string][]byte{}
	names, err = expand(root, names)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if ignore != nil {
			if skip, _ := ignore.MatchesOrParentMatches(name); skip {
				continue
			}
		}
		st, err := root.Stat(name)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !st.Mode().IsRegular() {
			continue
		}
		if err != nil {
			return nil, err
		}
		if st.Size() > plan.MaxFileSize {
			return nil, errors.Wrapf(plan.ErrTooLarge, "%s is %d bytes, more than the %d a preset reads", name, st.Size(), plan.MaxFileSize)
		}
		dt, err := root.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files[name] = dt
	}
	return files, nil
}

// expand replaces each wildcard name by the paths it matches, in order.
func expand(root *os.Root, names []string) ([]string, error) {
	var out []string
	for _, name := range names {
		if !plan.HasWildcard(name) {
			out = append(out, name)
			continue
		}
		matches, err := fs.Glob(root.FS(), name)
		if err != nil {
			return nil, errors.Wrapf(err, "pattern %q", name)
		}
		if len(matches) > plan.MaxMatches {
			matches = matches[:plan.MaxMatches]
		}
		out = append(out, matches...)
	}
	return out, nil
}
