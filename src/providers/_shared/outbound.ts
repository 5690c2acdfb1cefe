import dns, { type LookupAddress } from "node:dns";
import net from "node:net";
import type { Agent, buildConnector } from "undici";
import { type PrivateAllowance, parsePrivateAllowance, refusedKind } from "./address-guard.ts";

/**
 * Where provider calls may go. Every driver's requests leave through {@link providerFetch}: an
 * undici dispatcher whose connector checks the address it is about to connect to — the literal
 * IP of the URL, or every address the DNS lookup of *this* connection returned — so a base URL
 * cannot reach loopback, private, link-local, shared, multicast or reserved addresses, and a
 * name that resolves to a public address when typed and to 127.0.0.1 when used (DNS rebinding)
 * is refused at connection time. Redirects are never followed (see http.ts).
 *
 * Process-wide, like the secret registry: set once at start from HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS.
 */

export interface OutboundPolicy {
  allowPrivate: PrivateAllowance;
  /** DNS lookup used by the guard (tests simulate DNS with it); default `dns.lookup`. */
  lookup?: typeof dns.lookup;
}

let policy: OutboundPolicy = { allowPrivate: initialAllowance() };

/**
 * HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS as the process environment has it (a malformed value keeps
 * the guard; loadConfig names the problem). A config that sets the variable replaces it at start.
 */
function initialAllowance(): PrivateAllowance {
  const parsed = parsePrivateAllowance(process.env.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS);
  return Array.isArray(parsed) || parsed === true ? parsed : [];
}

export function setOutboundPolicy(next: OutboundPolicy): void {
  policy = next;
}

export function outboundPolicy(): OutboundPolicy {
  return policy;
}

/** Thrown (as the connect error) when the guard refuses an address; nothing was sent. */
export class PrivateAddressError extends Error {
  override readonly name = "PrivateAddressError";
  readonly code = "EHOSTOPS_PRIVATE_ADDRESS";
  constructor(
    readonly host: string,
    readonly kind: string,
  ) {
    super(`${host} is ${kind} address`);
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The connection's own DNS lookup, refusing when any address it returns is refused. */
function guardedLookup(allow: readonly string[], lookup: typeof dns.lookup) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const kind = refusedKind(a.address, allow);
        if (kind) return callback(new PrivateAddressError(hostname, kind) as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * undici, loaded on the first provider call rather than at start (~40 ms of the start-up time;
 * bench/startup.ts), and never before something needs it.
 */
type Undici = typeof import("undici");
let undiciModule: Promise<Undici> | undefined;
const undici = (): Promise<Undici> => {
  undiciModule ??= import("undici");
  return undiciModule;
};

function guardedAgent(
  { Agent, buildConnector }: Undici,
  allow: readonly string[],
  lookup: typeof dns.lookup,
): Agent {
  const base = buildConnector({ lookup: guardedLookup(allow, lookup) } as buildConnector.BuildOptions);
  return new Agent({
    connect: (opts, callback) => {
      // A literal address is connected to without a lookup: check it here, before the socket.
      const host = opts.hostname.replace(/^\[|\]$/g, "");
      if (net.isIP(host)) {
        const kind = refusedKind(host, allow);
        if (kind) return callback(new PrivateAddressError(opts.hostname, kind), null);
      }
      return base(opts, callback);
    },
  });
}

let cached: { policy: OutboundPolicy; agent: Agent } | undefined;

function agentFor(u: Undici, p: OutboundPolicy): Agent {
  if (cached?.policy === p) return cached.agent;
  const agent =
    p.allowPrivate === true ? new u.Agent() : guardedAgent(u, p.allowPrivate, p.lookup ?? dns.lookup);
  cached = { policy: p, agent };
  return agent;
}

/**
 * The `fetch` given to ky: undici's fetch (matching the dispatcher's version) over the guarded
 * agent, never following a redirect. ky hands over a Request built with Node's own classes, so
 * its parts are passed on rather than the object itself.
 */
export async function providerFetch(request: Request | string | URL, init?: RequestInit): Promise<Response> {
  const input = request instanceof Request ? request : new Request(request, init);
  const body = input.body ? await input.arrayBuffer() : undefined;
  const u = await undici();
  const response = await u.fetch(input.url, {
    method: input.method,
    headers: [...input.headers],
    body,
    signal: input.signal,
    redirect: "manual",
    dispatcher: agentFor(u, policy),
  });
  // undici's Response implements the same interface as the global one ky and http.ts use.
  return response as unknown as Response;
}

/** The guard's refusal inside a fetch failure (fetch wraps connect errors in a TypeError). */
export function privateAddressCause(err: unknown): PrivateAddressError | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    if (e instanceof PrivateAddressError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
