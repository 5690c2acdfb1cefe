import type http from "node:http";
import type { Database } from "../db/client.ts";
import { registry } from "../observability/metrics.ts";

export interface Route {
  path: string;
  method: string[];
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
}

export interface Readiness {
  db: Database;
  /** Each configured chat platform and whether it is connected. */
  platforms: () => Record<string, boolean>;
}

/** /healthz (process up), /readyz (database and chat platforms), /metrics (Prometheus). */
export function operationalRoutes(r: Readiness): Route[] {
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  return [
    { path: "/healthz", method: ["GET"], handler: (_req, res) => json(res, 200, { status: "ok" }) },
    {
      path: "/readyz",
      method: ["GET"],
      handler: async (_req, res) => {
        let database = true;
        try {
          await Promise.race([
            r.db.ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
          ]);
        } catch {
          database = false;
        }
        const platforms = r.platforms();
        // The failing parts by name: "database", "slack" (Socket Mode down), "discord" (gateway down).
        const failing = [
          ...(database ? [] : ["database"]),
          ...Object.entries(platforms)
            .filter(([, up]) => !up)
            .map(([name]) => name),
        ];
        const ready = failing.length === 0;
        json(
          res,
          ready ? 200 : 503,
          ready
            ? { status: "ready", database, platforms }
            : { status: "not ready", failing, database, platforms },
        );
      },
    },
    {
      path: "/metrics",
      method: ["GET"],
      handler: async (_req, res) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(await registry.metrics());
      },
    },
  ];
}
