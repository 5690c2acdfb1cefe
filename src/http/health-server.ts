import http from "node:http";
import { findRoute, type Route } from "./routes.ts";

/**
 * hostops' own HTTP server for health and readiness on PORT: used when no chat adapter serves PORT
 * itself (Socket Mode, Discord only, the console with PORT set), and while Slack's HTTP receiver
 * waits for Slack at start.
 */
export function listenHealth(routes: Route[], port: number, host: string | undefined): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const route = findRoute(routes, req.url, req.method);
    if (route) await route.handler(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise<http.Server>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`Port ${port} is already in use: set PORT to a free port.`)
          : err,
      ),
    );
    server.listen({ port, host }, () => resolve(server));
  });
}

/** Closes a server and its open connections (keep-alive ones too); nothing when it is not listening. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server?.listening) return;
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeAllConnections();
  await closed;
}
