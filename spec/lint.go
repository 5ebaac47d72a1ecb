package spec

// Lint returns warnings about a complete spec (after presets): settings
// that build, but make a worse or riskier image.
func (s *Spec) Lint() []*Warning {
	c := &checker{s: s}
	if s.Test.Run == "" {
		c.warnf("NoTests", "test", "no test step: the release is built without running any tests (add test.run)")
	}
	r := s.Release
	first, at := "", ""
	switch {
	case len(r.Entrypoint) > 0:
		first, at = r.Entrypoint[0], "release.entrypoint"
	case r.Entrypoint == nil && len(r.Cmd) > 0:
		first, at = r.Cmd[0], "release.cmd"
	}
	switch first {
	case "npm", "yarn", "pnpm", "npx", "corepack":
		c.warnf("PackageManagerAsPID1", at, "%s as PID 1 does not pass SIGTERM on to the app, so docker stop waits and then kills it (start node directly, e.g. [node, dist/server.js])", first)
	}
	switch r.User {
	case "root", "0", "0:0":
		c.warnf("RunsAsRoot", "release.user", "the app runs as root (use an unprivileged user, e.g. node)")
	case "":
		if s.Preset == "node" {
			c.warnf("RunsAsRoot", "release", "the runtime image has no node user, so the app runs as root (set release.user)")
		}
	}
	if v, ok := r.Env["NODE_ENV"]; ok && v != "production" && s.Preset == "node" {
		c.warnf("NodeEnvNotProduction", "release.env.NODE_ENV", "NODE_ENV=%s in the release: libraries such as express run their development code paths (use production)", v)
	}
	return c.warnings
}
