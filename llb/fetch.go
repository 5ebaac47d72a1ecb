package llb

import (
	"fmt"
	"slices"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
)

// fetchLanes is how many fetch steps download at the same time.
const fetchLanes = 4

// fetch runs dependencies.fetch: a step per group of packages downloads
// them into an empty folder, and the installs get the groups merged,
// mounted where the package manager reads them, plus the environment that
// points it there. Each group's step is keyed by exactly what it
// downloads, so a bump re-runs only the groups it touched, and a registry
// cache (--cache-to mode=max) carries the others to a fresh runner. The
// mount is writable for what an install adds; none of it is kept.
func (c *converter) fetch(base bk.State) []bk.RunOption {
	f := c.s.Dependencies.Fetch
	if f == nil {
		return nil
	}
	groups := f.Groups()
	var parts []bk.State
	total := 0
	for i, group := range groups {
		args := append(append([]string{}, f.Command...), "/stagefile/fetched")
		count, named := 0, map[string]bool{}
		var names []string
		for _, d := range group {
			if d.Arch != nil && !slices.Contains(d.Arch, c.opt.Platform.Architecture) {
				continue // a native binary for another platform
			}
			args = append(args, d.URL, d.Integrity, d.File)
			count++
			if !named[d.Name] {
				named[d.Name] = true
				names = append(names, d.Name)
			}
		}
		if count == 0 {
			continue
		}
		total += count
		slices.Sort(names)
		what := fmt.Sprintf("%d/%d %d packages: %s", i+1, len(groups), count, strings.Join(names, ", "))
		// a locked cache mount is a semaphore: at most fetchLanes groups
		// download at once, each with the downloader's 4 connections,
		// about what a package manager opens (15): polite to the registry, and the
		// container starts of 2 cores are the limit before the network.
		// (BuildKit's own bound, max-parallelism, is the daemon's, not a
		// build's to set.)
		lane := fmt.Sprintf("stagefile-fetch-lane-%d", i%fetchLanes)
		if c.opt.CacheNS != "" {
			lane = c.opt.CacheNS + "/" + lane
		}
		opts := []bk.RunOption{
			bk.Args(args),
			c.named("fetch", what),
			c.location(f.Origin.At),
			bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs()),
			bk.AddMount("/stagefile/lane", bk.Scratch(), bk.AsPersistentCacheDir(lane, bk.CacheMountLocked)),
		}
		opts = append(opts, c.opt.Run...)
		if c.opt.NoCache != nil && c.opt.NoCache(TargetDependencies) {
			opts = append(opts, bk.IgnoreCache)
		}
		parts = append(parts, base.Run(opts...).AddMount("/stagefile/fetched", bk.Scratch()))
	}
	if len(parts) == 0 {
		return nil
	}
	mirror := parts[0]
	if len(parts) > 1 {
		if c.caps.Merge {
			mirror = bk.Merge(parts, c.named("fetch", fmt.Sprintf("%d packages, for the installs", total)))
		} else {
			mirror = bk.Scratch()
			for _, p := range parts {
				mirror = mirror.File(bk.Copy(p, "/", "/", &bk.CopyInfo{CopyDirContentsOnly: true}), c.named("fetch", "merge"))
			}
		}
	}
	opts := []bk.RunOption{bk.AddMount(f.Path, mirror)}
	for _, v := range f.Env {
		opts = append(opts, bk.AddEnv(v.Name, v.Value))
	}
	return opts
}
