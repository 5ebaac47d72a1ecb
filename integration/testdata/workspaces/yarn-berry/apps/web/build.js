// Renders the static page into dist/ at build time.
const fs = require("node:fs");
const { page } = require("./src/page");

fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.html", page("Acme <web>"));
console.log("wrote dist/index.html");
