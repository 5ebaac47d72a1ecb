const http = require("node:http");
const cookie = require("cookie");
const { uptime } = require("@acme/shared");
const { line } = require("@acme/logger");

exports.createApp = () =>
  http.createServer((req, res) => {
    if (req.url === "/health") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ status: "ok", uptime: uptime() }));
    }
    if (req.url === "/whoami") {
      const { user = "guest" } = cookie.parse(req.headers.cookie || "");
      return res.end(`you are ${user}\n`);
    }
    if (req.url === "/log") {
      return res.end(line("api", "hello") + "\n");
    }
    res.statusCode = 404;
    res.end();
  });
