const path = require("node:path");
const { createServer } = require("./app");

const port = Number(process.env.PORT || 8080);
const dataDir = path.resolve(process.env.DATA_DIR || "data");
const server = createServer(dataDir).listen(port, () => console.log(`listening on :${port}`));
// docker stop sends SIGTERM to PID 1: close the server and exit promptly
process.on("SIGTERM", () => server.close(() => process.exit(0)));
