const fs = require("node:fs");
const http = require("node:http");

// a log folder next to the app: root's in the image, so the app's
// unprivileged user cannot create it unless release.writable says so
fs.mkdirSync("logs", { recursive: true });
const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => res.end("ok\n")).listen(port, () => console.log(`listening on :${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
