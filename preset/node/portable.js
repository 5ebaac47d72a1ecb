// Says whether the node_modules an install left in the working directory
// would be the same on another platform: no package runs an install
// script (a native addon built for this one), ships a binding.gyp, or is
// for one OS or CPU only (esbuild's, rollup's binaries). argv: the file
// to write the reasons to, one per line; none means portable. It never
// fails: the frontend reads the file and decides.
"use strict";
const fs = require("fs"), path = require("path");
const reasons = [];

function note(dir, why) {
  if (reasons.length < 20) reasons.push(`${path.relative(process.cwd(), dir)} ${why}`);
}

function pkg(dir) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return;
  }
  const scripts = manifest.scripts || {};
  for (const s of ["preinstall", "install", "postinstall"]) {
    if (typeof scripts[s] === "string" && scripts[s].trim()) note(dir, `runs ${s === "install" ? "an" : "a"} ${s} script`);
  }
  if (manifest.gypfile || fs.existsSync(path.join(dir, "binding.gyp"))) note(dir, "builds a native addon (binding.gyp)");
  if (manifest.os || manifest.cpu) note(dir, `is for ${[].concat(manifest.os || [], manifest.cpu || []).join(", ")} only`);
}

// modules walks a node_modules folder: npm's, yarn's and pnpm's layouts
function modules(dir) {
  for (const e of list(dir)) {
    if (!e.isDirectory()) continue; // links lead to packages seen elsewhere
    const p = path.join(dir, e.name);
    if (e.name === ".pnpm") {
      for (const v of list(p)) if (v.isDirectory()) modules(path.join(p, v.name, "node_modules"));
    } else if (e.name.startsWith("@")) {
      modules(p);
    } else if (!e.name.startsWith(".")) {
      pkg(p);
      modules(path.join(p, "node_modules"));
    }
  }
}

function list(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

// workspaces walks the folders the install left (manifests and
// node_modules only: the source is not there yet) for every workspace's
// own node_modules, at any depth.
function workspaces(dir, depth) {
  for (const e of list(dir)) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.name === "node_modules") modules(p);
    else if (depth < 8) workspaces(p, depth + 1);
  }
}

workspaces(process.cwd(), 0);
fs.writeFileSync(process.argv[1], reasons.join("\n"));
