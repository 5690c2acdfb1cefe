import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A small programmable HTTP server that provider fakes are built on: routing is the fake's own
 * handler; this layer records requests and injects faults (latency, answers held until released,
 * error statuses, resets, truncated or oversized bodies, HTML error pages, Retry-After storms, hangs).
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** JSON body parsed, form body as a record, else the raw text. */
  body: unknown;
  rawBody: string;
}

export interface FakeResponse {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Fault =
  | { kind: "latency"; ms: number }
  /** The answer waits until `until` settles (a test releases it when it has seen what it waits for). */
  | { kind: "held"; until: Promise<unknown> }
  | { kind: "status"; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "truncated" }
  | { kind: "html"; status?: number }
  | { kind: "huge"; bytes: number }
  | { kind: "wrongContentType" }
  | { kind: "retryAfter"; seconds: number; status?: number }
  | { kind: "json"; json: unknown; status?: number };

interface ArmedFault {
  fault: Fault;
  times: number;
  match?: (req: FakeRequest) => boolean;
  /** Run the fake's handler first (the request takes effect), then answer with the fault. */
  afterHandler?: boolean;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  requests: FakeRequest[];
  count(pred?: (r: FakeRequest) => boolean): number;
  /**
   * Arms a fault for the next `times` matching requests (default: every request until cleared).
   * With `afterHandler` the request is handled first (a mutation takes effect) and only its answer
   * is replaced by the fault: a timeout, reset, 5xx or garbled body after the provider acted.
   */
  fault(
    fault: Fault,
    opts?: { times?: number; match?: (r: FakeRequest) => boolean; afterHandler?: boolean },
  ): void;
  clearFaults(): void;
  /** Latency added to every answer (the sandbox and benchmarks use it). */
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler, opts: { port?: number } = {}): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  let faults: ArmedFault[] = [];
  let latency = 0;
  const sockets = new Set<Socket>();
  const hung = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void serve(req, res, Buffer.concat(chunks).toString("utf8")).catch((err: unknown) => {
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end(JSON.stringify({ fakeError: String(err) }));
        }
      });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string) {
    const url = new URL(req.url ?? "/", "http://fake");
    const ct = req.headers["content-type"] ?? "";
    let body: unknown = rawBody;
    if (ct.includes("application/json") && rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    } else if (ct.includes("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(rawBody));
    }
    const fr: FakeRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
      rawBody,
    };
    requests.push(fr);
    if (latency > 0) await delay(latency);
    const armed = faults.find((f) => f.times > 0 && (!f.match || f.match(fr)));
    if (armed) {
      armed.times -= 1;
      faults = faults.filter((f) => f.times > 0);
      if (armed.afterHandler) {
        const out = await handler(fr);
        if (!(await applyFault(armed.fault, res))) send(res, out);
        return;
      }
      const done = await applyFault(armed.fault, res);
      if (done) return;
    }
    const out = await handler(fr);
    send(res, out);
  }

  async function applyFault(fault: Fault, res: http.ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case "latency":
        await delay(fault.ms);
        return false;
      case "held":
        await fault.until.catch(() => undefined);
        return false;
      case "status":
        send(res, { status: fault.status, json: fault.json, text: fault.text, headers: fault.headers });
        return true;
      case "json":
        send(res, { status: fault.status ?? 200, json: fault.json });
        return true;
      case "reset":
        res.socket?.destroy();
        return true;
      case "hang":
        hung.add(res);
        return true;
      case "truncated":
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"services":[{"id":1,"na');
        return true;
      case "html":
        res.writeHead(fault.status ?? 502, { "content-type": "text/html" });
        res.end("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>");
        return true;
      case "huge": {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let left = fault.bytes;
        res.write("[");
        while (left > 0 && !res.destroyed) {
          const ok = res.write(chunk);
          left -= chunk.length;
          if (!ok) await new Promise((r) => res.once("drain", r));
        }
        res.end("]");
        return true;
      }
      case "wrongContentType":
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("OK");
        return true;
      case "retryAfter":
        res.writeHead(fault.status ?? 429, {
          "retry-after": String(fault.seconds),
          "content-type": "application/json",
        });
        res.end(JSON.stringify({ error: ["rate limited"] }));
        return true;
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    count: (pred) => (pred ? requests.filter(pred).length : requests.length),
    fault: (fault, o = {}) =>
      faults.push({
        fault,
        times: o.times ?? Number.POSITIVE_INFINITY,
        match: o.match,
        afterHandler: o.afterHandler,
      }),
    clearFaults: () => {
      faults = [];
    },
    setLatency: (ms) => {
      latency = ms;
    },
    reset: () => {
      requests.length = 0;
      faults = [];
      latency = 0;
    },
    close: async () => {
      for (const r of hung) r.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function send(res: http.ServerResponse, out: FakeResponse): void {
  if (res.headersSent || res.destroyed) return;
  const status = out.status ?? 200;
  const headers: Record<string, string> = { ...out.headers };
  let payload = "";
  if (out.json !== undefined) {
    payload = JSON.stringify(out.json);
    headers["content-type"] ??= "application/json";
  } else if (out.text !== undefined) {
    payload = out.text;
    headers["content-type"] ??= "text/plain";
  }
  res.writeHead(status, headers);
  res.end(status === 204 ? undefined : payload);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
