import http from "node:http";
import type { AddressInfo } from "node:net";
import { registry } from "../observability/metrics.ts";

export interface MetricsServer {
  /** The address it is bound to (127.0.0.1 by default). */
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Prometheus `/metrics` on a listener of its own (METRICS_PORT on METRICS_HOST, loopback by
 * default), so the public port that Slack reaches serves no internals. Only `GET /metrics`
 * answers; every other path is 404.
 */
export async function startMetricsServer(opts: { port: number; host: string }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if ((req.url ?? "").split("?")[0] !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404);
      res.end();
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(
              `METRICS_PORT ${opts.port} is already in use on ${opts.host}: set METRICS_PORT to a free port.`,
            )
          : err,
      ),
    );
    server.listen({ port: opts.port, host: opts.host }, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
