// The image's HEALTHCHECK: distroless has no shell or curl, so node asks.
const port = Number(process.env.PORT || 8080);
require("node:http")
  .get({ host: "127.0.0.1", port, path: "/health", timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1))
  .on("error", () => process.exit(1));
