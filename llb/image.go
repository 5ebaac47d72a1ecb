package llb

import (
	"encoding/json"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/stagefile/stagefile/plan"
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
	// set by the exporter (now) unless SOURCE_DATE_EPOCH fixes it
	img.Created = c.opt.Epoch
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
	img.Config.Env = c.mergeEnv(img.Config.Env, c.s.Env)
	img.Config.WorkingDir = c.s.Workdir.Value
	return img
}

// releaseConfig is the runtime image's config with the release settings
// merged over it, so what the base sets (PATH, its user, its labels) stays
// unless the spec overrides it.
func (c *converter) releaseConfig(base *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	r := c.s.Release
	img := c.baseConfig(base)
	img.Config.Env = c.mergeEnv(img.Config.Env, r.Env)
	img.Config.WorkingDir = c.s.AppDir()
	if r.User.Set() {
		img.Config.User = r.User.Value
	}
	if len(r.Expose) > 0 && img.Config.ExposedPorts == nil {
		img.Config.ExposedPorts = map[string]struct{}{}
	}
	for _, p := range plan.Values(r.Expose) {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		img.Config.ExposedPorts[p] = struct{}{}
	}
	// As in a Dockerfile, a new entrypoint drops the base's cmd.
	if r.Entrypoint.Set() {
		img.Config.Entrypoint = r.Entrypoint.Value
		img.Config.Cmd = nil
	}
	if r.Cmd.Set() {
		img.Config.Cmd = r.Cmd.Value
	}
	if len(r.Labels) > 0 && img.Config.Labels == nil {
		img.Config.Labels = map[string]string{}
	}
	for _, l := range r.Labels {
		img.Config.Labels[l.Name] = c.expand(l.Value)
	}
	if h := r.Healthcheck; h != nil {
		img.Config.Healthcheck = &dockerspec.HealthcheckConfig{
			Test:          append([]string{"CMD"}, h.Test.Value...),
			Interval:      duration(h.Interval),
			Timeout:       duration(h.Timeout),
			StartPeriod:   duration(h.StartPeriod),
			StartInterval: duration(h.StartInterval),
			Retries:       h.Retries.Value,
		}
	}
	if r.StopSignal.Set() {
		img.Config.StopSignal = r.StopSignal.Value
	}
	c.history(img)
	return img
}

// history records the layers the release adds, for `docker history`.
func (c *converter) history(img *dockerspec.DockerOCIImage) {
	s := c.s
	add := func(what string) {
		img.History = append(img.History, ocispecs.History{CreatedBy: what, Comment: "stagefile", Created: c.opt.Epoch})
	}
	if s.HasDependencyLayer() {
		what := "production dependencies: " + strings.Join(plan.Values(s.Dependencies.Manifests), " ")
		if s.Dependencies.Production != nil {
			what += " → " + oneLine(s.Dependencies.Production.Script())
		}
		add(what)
	}
	if len(s.Build.Outputs) > 0 {
		add("build outputs: " + strings.Join(plan.Values(s.Build.Outputs), " "))
	}
}

// duration is a checked duration, zero when unset (the runtime's default).
func duration(v plan.Value[string]) time.Duration {
	d, _ := time.ParseDuration(v.Value)
	return d
}

// mergeEnv sets vars over env ("K=V" entries), keeping env's order and
// appending new keys in the (sorted) order of vars.
func (c *converter) mergeEnv(env []string, vars []plan.Var) []string {
	out := append([]string(nil), env...)
	for _, v := range vars {
		k, kv := v.Name, v.Name+"="+c.expand(v.Value)
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
