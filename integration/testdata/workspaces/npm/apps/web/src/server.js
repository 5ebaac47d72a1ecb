const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { uptime } = require("@acme/shared");

const html = fs.readFileSync(path.join(__dirname, "..", "dist", "index.html"));
const port = Number(process.env.PORT || 8080);
const server = http
  .createServer((req, res) => {
    if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", uptime: uptime() }));
    res.setHeader("content-type", "text/html");
    res.end(html);
  })
  .listen(port, () => console.log(`listening on :${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
