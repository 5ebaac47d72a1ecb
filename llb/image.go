package llb

import (
	"encoding/json"
	"path"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// baseConfig copies a base image's config, or starts an empty one for the
// target platform when the base has none (scratch, local contexts).
func (c *converter) baseConfig(base *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	if base != nil {
		dt, _ := json.Marshal(base) // a decoded config always re-encodes
		_ = json.Unmarshal(dt, img)
	} else {
		img.Platform = c.opt.Platform
		img.RootFS.Type = "layers"
		img.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	}
	img.Created = nil // set by the exporter (SOURCE_DATE_EPOCH or now)
	if img.Config.Labels == nil && len(c.opt.Labels) > 0 {
		img.Config.Labels = map[string]string{}
	}
	for k, v := range c.opt.Labels {
		img.Config.Labels[k] = v
	}
	return img
}

// buildConfig is the config of the dependencies, development, test and
// build targets: the build image with the spec's env, in workdir.
func (c *converter) buildConfig(base *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	img := c.baseConfig(base)
	img.Config.Env = mergeEnv(img.Config.Env, c.s.Env)
	img.Config.WorkingDir = c.s.Workdir
	return img
}

// releaseConfig is the runtime image's config with the release settings
// merged over it, so what the base sets (PATH, its user, its labels) stays
// unless the spec overrides it.
func (c *converter) releaseConfig(base *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	r := c.s.Release
	img := c.baseConfig(base)
	img.Config.Env = mergeEnv(img.Config.Env, r.Env)
	img.Config.WorkingDir = path.Join(c.s.Workdir, c.s.App)
	if r.User != "" {
		img.Config.User = r.User
	}
	if len(r.Expose) > 0 && img.Config.ExposedPorts == nil {
		img.Config.ExposedPorts = map[string]struct{}{}
	}
	for _, p := range r.Expose {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		img.Config.ExposedPorts[p] = struct{}{}
	}
	// As in a Dockerfile, a new entrypoint drops the base's cmd.
	if r.Entrypoint != nil {
		img.Config.Entrypoint = r.Entrypoint
		img.Config.Cmd = nil
	}
	if r.Cmd != nil {
		img.Config.Cmd = r.Cmd
	}
	if len(r.Labels) > 0 && img.Config.Labels == nil {
		img.Config.Labels = map[string]string{}
	}
	for k, v := range r.Labels {
		img.Config.Labels[k] = v
	}
	c.history(img)
	return img
}

// history records the layers the release adds, for `docker history`.
func (c *converter) history(img *dockerspec.DockerOCIImage) {
	s := c.s
	add := func(what string) {
		img.History = append(img.History, ocispecs.History{CreatedBy: what, Comment: "stagefile"})
	}
	if c.hasDependencyLayer() {
		what := "production dependencies: " + strings.Join(s.Dependencies.Manifests, " ")
		if s.Dependencies.Production != "" {
			what += " → " + oneLine(s.Dependencies.Production)
		}
		add(what)
	}
	if len(s.Build.Outputs) > 0 {
		add("build outputs: " + strings.Join(s.Build.Outputs, " "))
	}
}

// mergeEnv sets vars over env ("K=V" entries), keeping env's order and
// appending new keys sorted.
func mergeEnv(env []string, vars map[string]string) []string {
	out := append([]string(nil), env...)
	for _, k := range sortedKeys(vars) {
		kv := k + "=" + vars[k]
		replaced := false
		for i, e := range out {
			if name, _, _ := strings.Cut(e, "="); name == k {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}
