package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

const minimal = "# syntax=docker.io/stagefile/stagefile:1\nversion: 1\nimage: node:20-bookworm-slim\n"

func resolve(t *testing.T, src string, providers ...Provider) (*Plan, []*Warning, error) {
	t.Helper()
	s, err := spec.Parse("Stagefile", []byte(src))
	assert.NilError(t, err)
	r := Resolver{Providers: Providers{"eco": ecoProvider{}}, ReadFiles: func([]string) (map[string][]byte, error) { return nil, nil }}
	for _, p := range providers {
		r.Providers[p.Name()] = p
	}
	return r.Resolve(s)
}

// TestInvalid: every rule of a resolved build, with the exact message,
// line and column, each found in well under a second.
func TestInvalid(t *testing.T) {
	cases := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"missing image", "version: 1\n", 1, 1, `missing "image"`},
		{"bad image reference", "version: 1\nimage: Node:20\n", 2, 8, `invalid image reference "Node:20"`},
		{"unknown preset", minimal + "preset: ruby\n", 4, 9, `unknown preset "ruby" (the presets are: eco, fake)`},
		{"misspelt preset", minimal + "preset: faek\n", 4, 9, `unknown preset "faek" (did you mean "fake"? the presets are: eco, fake)`},
		{"preset with js", minimal + "preset: fakejs\n", 4, 9, `unknown preset "fakejs" (did you mean "fake"? the presets are: eco, fake)`},
		{"relative workdir", minimal + "workdir: app\n", 4, 10, `"app" must be an absolute path in the image (write "/app")`},
		{"workdir is /", minimal + "workdir: /\n", 4, 10, "workdir / holds the image's own files, and the release copies workdir whole (use a folder of its own, e.g. /app)"},
		{"workdir is /usr/local", minimal + "workdir: /usr/local/\n", 4, 10, "workdir /usr/local holds the image's own files"},
		{"app escapes", minimal + "app: ../x\n", 4, 6, `"../x" escapes the build context`},
		{"bad env name", minimal + "release:\n  env:\n    1BAD: x\n", 6, 5, `invalid environment variable name "1BAD"`},
		{"absolute manifest", minimal + "dependencies:\n  manifests: [/package.json]\n", 5, 15, `"/package.json" is absolute`},
		{"manifest escapes context", minimal + "dependencies:\n  manifests:\n    - ../package.json\n", 6, 7, `"../package.json" escapes the build context`},
		{"manifest listed twice", minimal + "dependencies:\n  manifests: [package.json, ./package.json]\n", 5, 29, "listed twice"},
		{"manifests take everything", minimal + "dependencies:\n  manifests: [\"**\"]\n", 5, 15, `"**" would copy every file into the dependency layer, so every source edit would reinstall`},
		{"manifests take the tree", minimal + "dependencies:\n  manifests: [.]\n", 5, 15, `"." would copy the whole tree into the dependency layer`},
		{"manifest in node_modules", minimal + "dependencies:\n  manifests: [node_modules/x/package.json]\n", 5, 15, "is inside node_modules, which the installs create"},
		{"config escapes", minimal + "dependencies:\n  config: [../.npmrc]\n", 5, 12, `"../.npmrc" escapes the build context`},
		{"empty install command", minimal + "dependencies:\n  manifests: [package.json]\n  production: \"\"\n", 6, 15, `"dependencies.production" is empty (write the shell command to run, or remove the key)`},
		{"NUL in a command", minimal + "test:\n  run: \"a\\0b\"\n", 5, 8, "holds a NUL character"},
		{"installs without manifests", minimal + "dependencies:\n  production: npm ci\n", 4, 1, `dependency installs need "manifests"`},
		{"relative cache path", minimal + "dependencies:\n  caches: [.npm]\n", 5, 12, `cache path ".npm" must be absolute`},
		{"cache at /", minimal + "dependencies:\n  caches: [/]\n", 5, 12, "a cache at / would be mounted over the whole image"},
		{"cache at /tmp", minimal + "test:\n  run: x\n  caches: [/tmp]\n", 6, 12, "over /tmp, which every step already mounts as an empty tmpfs"},
		{"cache at workdir", minimal + "build:\n  caches: [/app]\n", 5, 12, "a cache at /app would be mounted over workdir"},
		{"cache over workdir's parent", minimal + "workdir: /srv/app\nbuild:\n  caches: [/srv]\n", 6, 12, "over a folder that holds workdir"},
		{"two caches at one path", minimal + "dependencies:\n  caches: [/root/.npm, /root/.npm/]\n", 5, 24, "two caches are mounted at /root/.npm"},
		{"bad cache sharing", minimal + "dependencies:\n  caches:\n    - {path: /root/.npm, sharing: yes}\n", 6, 35, `unknown sharing "yes"`},
		{"test without run", minimal + "test:\n  reports: [junit.xml]\n", 4, 1, `test needs "run"`},
		{"blank test command", minimal + "test:\n  run: \"   \"\n", 5, 8, `"test.run" is empty`},
		{"report escapes workdir", minimal + "test:\n  run: x\n  reports: [../junit.xml]\n", 6, 13, `"../junit.xml" escapes workdir`},
		{"output is the whole workdir", minimal + "build:\n  run: x\n  outputs: [.]\n", 6, 13, `an output of "." would ship the whole workdir`},
		{"output is *", minimal + "build:\n  run: x\n  outputs: [\"*\"]\n", 6, 13, `"*" would ship every file of workdir, dev dependencies and all`},
		{"output is node_modules", minimal + "build:\n  outputs: [node_modules]\n", 5, 13, `"node_modules" would ship node_modules with its dev dependencies`},
		{"output in node_modules", minimal + "build:\n  outputs: [node_modules/.bin]\n", 5, 13, "would ship node_modules"},
		{"absolute output outside workdir", minimal + "build:\n  run: x\n  outputs: [/srv/build]\n", 6, 13, `"/srv/build" is absolute; paths here are relative to workdir (drop the leading "/")`},
		{"absolute output", minimal + "build:\n  run: x\n  outputs: [/app/build]\n", 6, 13, `"/app/build" is absolute; paths here are relative to workdir (write "build")`},
		{"port out of range", minimal + "release:\n  expose: [80, 70000]\n", 5, 16, `invalid port "70000"`},
		{"port with a plus", minimal + "release:\n  expose: [\"+80\"]\n", 5, 12, `invalid port "+80"`},
		{"port with a leading zero", minimal + "release:\n  expose: [\"080\"]\n", 5, 12, `invalid port "080"`},
		{"port with an empty protocol", minimal + "release:\n  expose: [80/]\n", 5, 12, `invalid protocol "" in port "80/"`},
		{"bad port protocol", minimal + "release:\n  expose: [53/icmp]\n", 5, 12, `invalid protocol "icmp"`},
		{"user with a newline", minimal + "release:\n  user: \"root\\n\"\n", 5, 9, `invalid user "root\x0a"`},
		{"user with a space", minimal + "release:\n  user: \"node app\"\n", 5, 9, `invalid user "node app"`},
		{"secret without id", minimal + "secrets:\n  - target: .npmrc\n", 5, 5, `a secret needs an "id"`},
		{"secret id ..", minimal + "secrets:\n  - {id: \"..\"}\n", 5, 10, `invalid secret id ".."`},
		{"secret id with a slash", minimal + "secrets:\n  - {id: a/b}\n", 5, 10, `invalid secret id "a/b"`},
		{"secret declared twice", minimal + "secrets:\n  - id: npmrc\n  - id: npmrc\n", 6, 9, `secret "npmrc" is declared twice`},
		{"secret escapes workdir", minimal + "secrets:\n  - id: npmrc\n    target: ../.npmrc\n", 6, 13, `"../.npmrc" escapes workdir`},
		{"secret over /etc/passwd", minimal + "secrets:\n  - id: pw\n    target: /etc/passwd\n", 6, 13, `secret "pw" would be mounted at /etc/passwd, over the image's /etc/passwd`},
		{"secret over a manifest", minimal + "dependencies:\n  manifests: [package.json]\nsecrets:\n  - id: package.json\n", 7, 9, "over the manifest package.json the installs read"},
		{"secret over a config file", minimal + "dependencies:\n  config: [.npmrc]\nsecrets:\n  - id: npmrc\n    target: .npmrc\n", 8, 13,
			"secret \"npmrc\" would be mounted at /app/.npmrc, over the context's .npmrc, dependencies.config from line 5:12, which the installs read (mount the secret as the installing user's .npmrc, target: /root/.npmrc"},
		{"secret in a cache", minimal + "dependencies:\n  caches: [/root/.npm]\nsecrets:\n  - {id: t, target: /root/.npm/t}\n", 7, 21, "inside the cache /root/.npm the installs mount"},
		{"secret at workdir", minimal + "secrets:\n  - {id: t, target: /app}\n", 5, 21, "over workdir"},
		{"two secrets, one target", minimal + "secrets:\n  - {id: a, target: .npmrc}\n  - {id: b, target: /app/.npmrc}\n", 6, 21, `secrets "a" and "b" are both mounted at /app/.npmrc`},
		{"two secrets, one env", minimal + "secrets:\n  - {id: a, env: TOKEN}\n  - {id: b, env: TOKEN}\n", 6, 18, "two secrets set TOKEN"},
		{"bad secret env", minimal + "secrets:\n  - {id: a, env: 1X}\n", 5, 18, `invalid environment variable name "1X"`},
		{"undeclared arg in env", minimal + "env:\n  V: \"${VERSION}\"\n", 5, 3, "env.V reads ${VERSION}, which is not a declared arg (declare it under args, or write $${VERSION} for the text)"},
		{"bad arg name", minimal + "args:\n  1X: a\n", 5, 3, `invalid arg name "1X"`},
		{"reserved arg", minimal + "args:\n  TARGETARCH: amd64\n", 5, 3, "TARGETARCH is set by BuildKit or the frontend"},
		{"healthcheck without test", minimal + "release:\n  healthcheck:\n    interval: 5s\n", 6, 5, `a healthcheck needs "test"`},
		{"healthcheck bad duration", minimal + "release:\n  healthcheck:\n    test: [x]\n    timeout: 5\n", 7, 14, `invalid duration "5" (write a duration of at least 1ms`},
		{"entrypoint line as one item", minimal + "release:\n  entrypoint: [node server.js]\n", 5, 15, `release.entrypoint[0] is "node server.js", one item with spaces, which runs as a single program name (write one item per word, e.g. [node, server.js])`},
		{"cmd line as one item", minimal + "release:\n  cmd: [\"gunicorn -b :5000 app:app\"]\n", 5, 8, `e.g. [gunicorn, "-b", ":5000", "app:app"]`},
		{"output run from PATH", minimal + "build:\n  run: x\n  outputs: [boot.sh]\nrelease:\n  cmd: [boot.sh]\n", 8, 8, `release.cmd[0] is boot.sh, a build output in workdir, but a bare name is looked up on PATH (write ./boot.sh)`},
		{"bad stop signal", minimal + "release:\n  stopSignal: SIGNOPE\n", 5, 15, `unknown signal "SIGNOPE"`},
		{"writable workdir", minimal + "release:\n  user: node\n  writable: [.]\n", 6, 14, "the whole workdir cannot be writable"},
		{"writable /usr", minimal + "release:\n  user: node\n  writable: [/usr]\n", 6, 14, "/usr holds the image's own files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			p, _, err := resolve(t, tc.src, fakeProvider{})
			assert.Check(t, time.Since(start) < 100*time.Millisecond)
			assert.Assert(t, p == nil)
			assert.Assert(t, err != nil)
			var list spec.Errors
			assert.Assert(t, errors.As(err, &list), "error %T is not positioned", err)
			first := list[0]
			assert.Check(t, is.Equal(first.Range.Start.Line, tc.line), "error: %v", err)
			assert.Check(t, is.Equal(first.Range.Start.Column, tc.col), "error: %v", err)
			assert.Check(t, is.Contains(err.Error(), tc.msg))
			prefix := fmt.Sprintf("Stagefile:%d:%d: ", tc.line, tc.col)
			assert.Check(t, strings.HasPrefix(err.Error(), prefix), "%q does not start with %q", err.Error(), prefix)
		})
	}
}

// TestAllErrorsAtOnce: validation reports every problem, not the first.
func TestAllErrorsAtOnce(t *testing.T) {
	_, _, err := resolve(t, "version: 1\nimage: node:20\nworkdir: app\nrelease:\n  expose: [0]\n")
	var list spec.Errors
	assert.Assert(t, errors.As(err, &list))
	assert.Check(t, is.Len(list, 2))
}

// fakeProvider fills values a rule refuses, to show that what a preset
// fills is checked like what the user writes.
type fakeProvider struct{ bad string }

func (fakeProvider) Name() string                            { return "fake" }
func (fakeProvider) Files(*Plan, map[string][]byte) []string { return nil }
func (fakeProvider) Rules() []*Rule                          { return nil }
func (fakeProvider) Ecosystem() Ecosystem                    { return Ecosystem{} }
func (f fakeProvider) Fill(p *Plan, _ *Facts) ([]*Warning, error) {
	o := Origin{Kind: Preset, At: p.Preset.Origin.At, Preset: "fake", From: "fake.json"}
	switch f.bad {
	case "output":
		p.Build.Outputs = append(p.Build.Outputs, Value[string]{Value: "node_modules", Origin: o})
	case "manifest":
		p.Dependencies.Manifests = append(p.Dependencies.Manifests, Value[string]{Value: ".npmrc", Origin: o})
	case "workdir":
		if !p.Workdir.Written() {
			p.Workdir = Value[string]{Value: "/", Origin: o}
		}
	}
	return nil, nil
}

// TestPresetValuesAreChecked: a value a preset fills breaks the same rule
// a written one would, the error points at the preset line and says which
// preset filled it from what.
func TestPresetValuesAreChecked(t *testing.T) {
	_, _, err := resolve(t, minimal+"preset: fake\n", fakeProvider{bad: "output"})
	assert.Check(t, is.Error(err, `Stagefile:4:9: "node_modules" would ship node_modules with its dev dependencies; the release already has the production dependencies (name what the build produced, e.g. "dist") [build.outputs[0] was filled by preset fake from fake.json: write it in the Stagefile to choose another]`))

	_, _, err = resolve(t, minimal+"workdir: /srv\npreset: fake\n", fakeProvider{bad: "workdir"})
	assert.Check(t, err == nil, "the preset must not override what the user wrote: %v", err)

	p, warnings, err := resolve(t, minimal+"preset: fake\n", fakeProvider{bad: "manifest"})
	assert.NilError(t, err)
	assert.Check(t, is.Len(p.Dependencies.Manifests, 1))
	var found *Warning
	for _, w := range warnings {
		if w.Rule == TokenInManifests {
			found = w
		}
	}
	assert.Assert(t, found != nil, "the preset's manifest is linted: %v", warnings)
	assert.Check(t, is.Equal(found.Error(), `Stagefile:4:9: .npmrc often holds a registry token and would be stored in image layers (list it under dependencies.config, which mounts it for the steps that read it and never stores it in a layer, and pass tokens as secrets) [TokenInManifests]`))
}

func TestLint(t *testing.T) {
	_, warnings, err := resolve(t, minimal+"release:\n  entrypoint: [npm, start]\n  user: root\nbuild:\n  run: make\n")
	assert.NilError(t, err)
	var got []string
	for _, w := range warnings {
		got = append(got, w.Error())
	}
	assert.Check(t, is.DeepEqual(got, []string{
		"Stagefile:1:1: no test step: the release is built without running any tests (add test.run; or, to ship untested on purpose, write test: {none: \"why\"}) [NoTests]",
		"Stagefile:5:15: npm as PID 1 does not pass SIGTERM on to the app, so docker stop waits and then kills it (start the app directly, e.g. [node, dist/server.js]) [PackageManagerAsPID1]",
		"Stagefile:6:9: the app runs as root (use an unprivileged user, e.g. node or 1000) [RunsAsRoot]",
		"Stagefile:8:8: the build step's outputs are not listed, so the release gets nothing the build made (list what it writes under build.outputs, e.g. build.outputs: [dist]; or build.outputs: [] if the release needs none of it) [NoBuildOutputs]",
	}))
	for _, r := range Rules {
		assert.Check(t, strings.HasSuffix(r.URL, "#"+strings.ToLower(r.Name)))
		assert.Check(t, r.Description != "")
	}
}

// TestLauncherRunningAFile: a launcher that runs the app's file in its
// own process (a runtime that is a package manager too) is no launcher
// there; running a script, it is.
func TestLauncherRunningAFile(t *testing.T) {
	for src, warns := range map[string]bool{
		"release:\n  entrypoint: [rt]\n  cmd: [server.js]\n":  false,
		"release:\n  entrypoint: [rt, server.js]\n":           false,
		"release:\n  cmd: [rt, server.js]\n":                  false,
		"release:\n  entrypoint: [rt]\n  cmd: [start]\n":      true,
		"release:\n  entrypoint: [/usr/bin/rt, run, start]\n": true,
	} {
		_, warnings, err := resolve(t, minimal+"test:\n  none: x\n"+src)
		assert.NilError(t, err)
		var got []string
		for _, w := range warnings {
			got = append(got, w.Error())
		}
		if warns {
			assert.Check(t, is.Len(got, 1), src)
			assert.Check(t, is.Contains(strings.Join(got, ""), "rt as PID 1 does not pass SIGTERM on to the app"), src)
		} else {
			assert.Check(t, is.Len(got, 0), "%s: %v", src, got)
		}
	}
}

// TestDefaults: what nobody wrote is a default, and says so.
func TestDefaults(t *testing.T) {
	p, _, err := resolve(t, minimal+"secrets:\n  - id: npmrc\n")
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Workdir.Value, DefaultWorkdir))
	assert.Check(t, is.Equal(p.Workdir.Origin.Kind, Default))
	assert.Check(t, is.Equal(p.App.Value, "."))
	assert.Check(t, is.Equal(p.Release.Image.Value, "node:20-bookworm-slim"))
	assert.Check(t, is.Equal(p.Release.Image.Origin.String(), "default: the build image"))
	assert.Check(t, is.Equal(p.SecretTarget(p.Secrets[0]), "/app/npmrc"))
	assert.Check(t, is.Equal(p.Image.Origin.String(), "line 3:8"))
}

// TestScript: what a preset builds reaches the shell quoted, whatever its
// arguments hold; what the user wrote runs as written.
func TestScript(t *testing.T) {
	c := Argv(Origin{}, []string{"corepack", "enable"}, []string{"yarn", "workspaces", "focus", "--production", "a b; touch /pwned", "$(id)", "it's"})
	assert.Check(t, is.Equal(c.Script(), `corepack enable && yarn workspaces focus --production 'a b; touch /pwned' '$(id)' 'it'"'"'s'`))
	assert.Check(t, is.Equal(Shell("yarn test | tee out", Origin{}).Script(), "yarn test | tee out"))
}

// TestArgs: values come from --build-arg, else the default; ${NAME} is
// replaced in env, release.env and labels; a command that mentions an
// arg reads it; an undeclared --build-arg is reported.
func TestArgs(t *testing.T) {
	s, err := spec.Parse("Stagefile", []byte(minimal+`args:
  APP_VERSION: 0.0.0
  API_URL:
    default: https://api.example.com
    description: the API the bundle calls
  NPM_TOKEN:
env:
  VITE_API_URL: "${API_URL}/v1"
  LITERAL: "$${HOME}"
build:
  run: vite build --mode "$APP_VERSION"
  outputs: [dist]
release:
  labels: {org.opencontainers.image.version: "${APP_VERSION}", arch: "${TARGETARCH}"}
`))
	assert.NilError(t, err)
	p, warnings, err := Resolver{BuildArgs: map[string]string{"APP_VERSION": "1.2.3", "UNDECLARED": "x", "HTTP_PROXY": "http://proxy", "BUILDKIT_INLINE_CACHE": "1"}}.Resolve(s)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(p.Args[0].Value, "1.2.3"))
	assert.Check(t, p.Args[0].Given)
	assert.Check(t, is.Equal(p.Args[1].Value, "https://api.example.com"))
	assert.Check(t, is.Equal(p.Args[1].Description, "the API the bundle calls"))
	env, _ := Lookup(p.Env, "VITE_API_URL")
	assert.Check(t, is.Equal(env.Value, "https://api.example.com/v1"))
	assert.Check(t, is.Equal(env.Template, "${API_URL}/v1"), "the value as written, for eject")
	lit, _ := Lookup(p.Env, "LITERAL")
	assert.Check(t, is.Equal(lit.Value, "${HOME}"))
	assert.Check(t, is.Equal(lit.Template, "$${HOME}"))
	label, _ := Lookup(p.Release.Labels, "org.opencontainers.image.version")
	assert.Check(t, is.Equal(label.Value, "1.2.3"))
	arch, _ := Lookup(p.Release.Labels, "arch")
	assert.Check(t, is.Equal(arch.Value, "${TARGETARCH}"), "platform args are expanded per platform, by the converter")
	assert.Check(t, is.DeepEqual(p.Build.Run.Args, []string{"APP_VERSION"}))
	var got []string
	for _, w := range warnings {
		got = append(got, w.Rule.Name+": "+w.Msg)
		if w.Rule == UnusedBuildArg {
			assert.Check(t, is.Equal(w.Error(), "Stagefile: build arg UNDECLARED was passed but the Stagefile declares no such arg, so nothing reads it (declare it under args, or drop --build-arg UNDECLARED) [UnusedBuildArg]"), "a command-line arg has no line")
		}
	}
	assert.Check(t, is.Contains(strings.Join(got, "\n"), "UnusedBuildArg: build arg UNDECLARED was passed but the Stagefile declares no such arg"))
	assert.Check(t, is.Contains(strings.Join(got, "\n"), "SecretInArg: build arg NPM_TOKEN looks like a secret"))
	assert.Check(t, !strings.Contains(strings.Join(got, "\n"), "HTTP_PROXY"), "proxy args are predefined")
	assert.Check(t, !strings.Contains(strings.Join(got, "\n"), "BUILDKIT_INLINE_CACHE"))
	assert.Check(t, is.Contains(string(p.YAML()), "APP_VERSION: 1.2.3                        # line 5:3, --build-arg"))
}

func TestMentions(t *testing.T) {
	for script, want := range map[string]bool{
		"echo $V": true, "echo ${V}": true, "echo ${V:-x}": true, "echo $VERSION": false, "echo V": false, "echo $$V": true, "x=$V;": true,
	} {
		assert.Check(t, is.Equal(Mentions(script, "V"), want), script)
	}
}

// TestWarningWithoutControlCharacters: a warning quoting the context
// (a package.json script) reaches no terminal escape.
func TestWarningWithoutControlCharacters(t *testing.T) {
	w := Warn(&Plan{File: "Stagefile"}, NoTests, Origin{}, "scripts.start is %s", "node \x1b[2Jserver.js")
	assert.Check(t, is.Equal(w.Msg, `scripts.start is node \x1b[2Jserver.js`))
}

// TestOutputWithNodeModules: a node_modules the build makes (Next.js
// standalone's traced one) may ship when the release has no dependency
// layer; with one, the install's node_modules may not ship again.
func TestOutputWithNodeModules(t *testing.T) {
	src := minimal + "build:\n  run: next build\n  outputs: [.next/standalone/node_modules]\n"
	_, _, err := resolve(t, src+"release:\n  dependencies: false\n")
	assert.NilError(t, err)
	_, _, err = resolve(t, src)
	assert.Check(t, is.ErrorContains(err, "would ship node_modules with its dev dependencies"))
}

// TestGitLeftOut: .git is not source (a commit would rerun the tests),
// unless source.exclude takes it back.
func TestGitLeftOut(t *testing.T) {
	p, _, err := resolve(t, minimal)
	assert.NilError(t, err)
	assert.Check(t, is.Contains(Values(p.Source.Exclude), "**/.git"))
	p, _, err = resolve(t, minimal+"source:\n  exclude: [\"!.git\"]\n")
	assert.NilError(t, err)
	assert.Check(t, !slices.Contains(Values(p.Source.Exclude), "**/.git"), "%v", Values(p.Source.Exclude))
}

// TestUnknownUser: a user name the runtime image does not have is refused
// at its line; a uid, or a name it has, is not.
func TestUnknownUser(t *testing.T) {
	image := func(string) (*ImageInfo, error) {
		return &ImageInfo{Users: func() ([]User, error) {
			return []User{{Name: "root", UID: 0}, {Name: "node", UID: 1000}, {Name: "nobody", UID: 65534}}, nil
		}}, nil
	}
	try := func(user string) error {
		s, err := spec.Parse("Stagefile", []byte(minimal+"release:\n  user: "+user+"\n"))
		assert.NilError(t, err)
		_, _, err = Resolver{Image: image}.Resolve(s)
		return err
	}
	assert.Check(t, is.Error(try("app"), `Stagefile:5:9: user "app" is not in the /etc/passwd of node:20-bookworm-slim (it has node), so the release would not start (write one it has, or a numeric uid such as "1000:1000", which needs no entry)`))
	assert.Check(t, is.ErrorContains(try(`"app:app"`), `user "app" is not in`))
	for _, ok := range []string{"node", `"node:node"`, "1000", `"1000:1000"`, "root"} {
		assert.Check(t, try(ok), ok)
	}
}

// TestSecretFileVar: SECRET_KEY_FILE=/run/secrets/key names a file, not a
// secret; SECRET_KEY=abc is one.
func TestSecretFileVar(t *testing.T) {
	_, ws, err := resolve(t, minimal+"release:\n  env:\n    SECRET_KEY_FILE: /run/secrets/key\n")
	assert.NilError(t, err)
	for _, w := range ws {
		assert.Check(t, w.Rule != SecretInArg, w.Error())
	}
	_, ws, err = resolve(t, minimal+"release:\n  env:\n    SECRET_KEY: abc\n")
	assert.NilError(t, err)
	var rules []string
	for _, w := range ws {
		rules = append(rules, w.Rule.Name)
	}
	assert.Check(t, is.Contains(rules, "SecretInArg"))
}

// ecoProvider stands for the presets' ecosystems in these tests (the
// presets' own are tested in their packages): package managers,
// dependency folders and credential files as the node preset names them.
type ecoProvider struct{ fakeProvider }

func (ecoProvider) Name() string { return "eco" }
func (ecoProvider) Ecosystem() Ecosystem {
	return Ecosystem{
		Launchers:      []string{"npm", "yarn", "rt"},
		RunsFile:       func(argv []string) bool { return len(argv) == 2 && strings.HasSuffix(argv[1], ".js") },
		StartExample:   "[node, dist/server.js]",
		DependencyDirs: []string{"node_modules", ".venv"},
		CredentialFiles: []CredentialFile{
			{Name: ".npmrc", SecretAdvice: "mount the secret as the installing user's .npmrc, target: /root/.npmrc, which npm, yarn and pnpm read too"},
			{Name: ".pypirc"},
		},
	}
}
