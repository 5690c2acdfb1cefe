import type http from "node:http";
import type { Database } from "../db/client.ts";

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

/** /healthz (process up) and /readyz (database and chat platforms), on PORT. /metrics has its own listener. */
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
  ];
}

/**
 * The route for `url` (a request target: path and query), matched on the exact path: `/healthz/`,
 * `/healthz/x` or `//healthz` are not `/healthz`.
 */
export function findRoute(
  routes: Route[],
  url: string | undefined,
  method: string | undefined,
): Route | undefined {
  const path = (url ?? "").split("?")[0];
  return routes.find((r) => r.path === path && r.method.includes(method ?? ""));
}

/**
 * Wraps routes for Bolt's receiver, whose matcher (path-to-regexp) also accepts a trailing slash:
 * anything but the exact path answers 404.
 */
export function exactRoutes(routes: Route[]): Route[] {
  return routes.map((r) => ({
    ...r,
    handler: (req, res) => {
      if ((req.url ?? "").split("?")[0] !== r.path) {
        res.writeHead(404);
        res.end();
        return;
      }
      return r.handler(req, res);
    },
  }));
}
