import { app } from "./app";

const port = Number(process.env.PORT || 8080);
const server = Bun.serve({ port, fetch: app.fetch });
console.log(`listening on :${server.port}`);

// bun is PID 1 in the release: stop on docker stop's SIGTERM
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
