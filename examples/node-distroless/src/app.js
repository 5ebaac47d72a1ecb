// A small notes service: notes are files in the data folder, which the
// release makes writable for the app's user and nothing else.
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const ms = require("ms");

function createServer(dataDir, started = Date.now()) {
  return http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ status: "ok", uptime: ms(Date.now() - started), uid: process.getuid() }));
    }
    const name = url.pathname.match(/^\/notes\/([a-z0-9-]{1,40})$/)?.[1];
    if (!name) {
      res.writeHead(404);
      return res.end();
    }
    const file = path.join(dataDir, name + ".txt");
    if (req.method === "PUT") {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        fs.writeFileSync(file, Buffer.concat(chunks));
        res.writeHead(201);
        res.end();
      });
      return;
    }
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(fs.readFileSync(file));
  });
}

module.exports = { createServer };
