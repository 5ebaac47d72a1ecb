package node

import (
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// Ecosystem: npm, yarn, pnpm, corepack and bun start an app without
// passing signals on (bun run start runs a script in a shell) — but bun
// running the app's file itself (bun src/index.ts) is the app's own
// process; installs create node_modules (and yarn's and pnpm's stores);
// .npmrc, yarn's settings and bunfig.toml often hold a registry token.
func (Provider) Ecosystem() plan.Ecosystem {
	return plan.Ecosystem{
		Launchers:      []string{"npm", "npx", "yarn", "pnpm", "corepack", "bun"},
		RunsFile:       bunRunsFile,
		StartExample:   "[node, dist/server.js]",
		DependencyDirs: []string{"node_modules", ".yarn/cache", ".pnpm-store"},
		CredentialFiles: []plan.CredentialFile{
			// npm, yarn and pnpm read the user's .npmrc too, the project's
			// settings winning
			{Name: ".npmrc", SecretAdvice: "mount the secret as the installing user's .npmrc, target: /root/.npmrc, which npm, yarn and pnpm read too; " +
				"or make it an env secret, env: NPM_TOKEN, that the project's .npmrc names, e.g. //registry.npmjs.org/:_authToken=${NPM_TOKEN}"},
			{Name: ".yarnrc.yml"}, {Name: ".yarnrc"}, {Name: "bunfig.toml"},
		},
		Aliases: []string{"nodejs", "node.js", "js", "javascript", "typescript"},
	}
}

// Script finds the file node runs: node [flags] FILE, or the official
// images' docker-entrypoint.sh FILE.js, which runs node with it. Node
// tries the name as written, with its extensions, and a folder's index.js.
// bun [run] [flags] FILE runs a file too (bunScript).
func (Provider) Script(argv []string) (int, []string, bool) {
	if len(argv) == 0 {
		return 0, nil, false
	}
	base := path.Base(argv[0])
	switch {
	case base == "bun":
		return bunScript(argv)
	case base == "node" || base == "nodejs":
	case base == "docker-entrypoint.sh" && len(argv) > 1 && strings.HasSuffix(argv[1], "js"):
	default:
		return 0, nil, false
	}
	withValue := map[string]bool{"-r": true, "--require": true, "--import": true, "--loader": true, "--experimental-loader": true}
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-e" || a == "--eval" || a == "-p" || a == "--print" || a == "-":
			return 0, nil, false
		case withValue[a]:
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return i, []string{"", ".js", ".mjs", ".cjs", "/index.js"}, true
		}
	}
	return 0, nil, false
}
