const { createApp } = require("./app");
const { log } = require("@acme/logger");

const port = Number(process.env.PORT || 8080);
const server = createApp().listen(port, () => log("api", `listening on :${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
