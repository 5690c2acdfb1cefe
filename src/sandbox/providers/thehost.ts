import { type FakeRequest, type FakeResponse, startFakeServer } from "./fake-server.ts";
import contactCreateFixture from "./fixtures/thehost/contact-create-1.json" with { type: "json" };
import domainEditFixture from "./fixtures/thehost/domain-edit.json" with { type: "json" };
import domainListFixture from "./fixtures/thehost/domain-list.json" with { type: "json" };
import authErrorFixture from "./fixtures/thehost/error-auth.json" with { type: "json" };
import type { ProviderFake } from "./types.ts";

/**
 * A fake TheHost domain-reselling API (ISPsystem BILLmanager): every call is
 * `GET /manager/billmgr?func=…&authinfo=LOGIN:PASSWORD&out=json`
 * (shared/seeds/thehost-domain-reselling-api.txt). Successful answers use the seed's flat shapes,
 * or the ISPsystem `{"doc": …, "$": value}` form with `format: "doc"`. Errors are not documented in
 * the seed; the fake sends the ISPsystem `doc.error` element, inside an HTTP 200 as BILLmanager does.
 */

/** One row of `func=domain`, with the seed's field names (all strings), plus the fake's NS state. */
export interface TheHostFakeDomain {
  id: string;
  name: string;
  account: string;
  account_id: string;
  /** YYYY-MM-DD */
  expire: string;
  autoperiod: string;
  /** 0..7, see seed lines 33-42. */
  domainstatus: string;
  /** Not in the list answer (the seed lists no NS field); set by `domain.edit`. */
  ns?: string[];
}

export interface TheHostFakeOptions {
  port?: number;
  data?: { domains?: TheHostFakeDomain[] };
  /** "flat" (the seed's shape, default) or "doc" (every value wrapped as {"$": value} under "doc"). */
  format?: "flat" | "doc";
  /**
   * Rows per page of `func=domain`; when set the list is paged as ISPsystem lists are (`p_elems`
   * total, `p_num` page from 1, `p_cnt` rows per page; `p_num`/`p_cnt` may be asked for).
   */
  pageSize?: number;
  /**
   * The answer to a successful `sok=ok` submission: the seed's `{"result":"OK","ok":""}` (default),
   * ISPsystem's `{"doc":{"ok":{}}}`, or an empty `{"doc":{}}` (both seen from real panels).
   */
  successShape?: "result" | "ok" | "empty";
}

export interface TheHostFake extends ProviderFake {
  /** The live state: renewals and NS changes show up here. */
  domains: TheHostFakeDomain[];
}

export const THEHOST_LOGIN = "reseller-7f3kq";
/** Has ":", "&", "%" and "+" so that the query encoding of authinfo is exercised. */
export const THEHOST_PASSWORD = "Pa55:w&rd%x+9";

const DAY_MS = 86_400_000;

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return ymd(d);
}

/** The seed's two domains with dates moved relative to now, and one unpaid domain for the sandbox. */
export function theHostDemoDomains(now = Date.now()): TheHostFakeDomain[] {
  const [first, second] = domainListFixture.elem;
  if (!first || !second) throw new Error("thehost fixture domain-list.json lost its rows");
  const days = (n: number) => ymd(new Date(now + n * DAY_MS));
  return [
    { ...first, expire: days(300) },
    // Expires within days: drives the expiry alert in the sandbox.
    { ...second, expire: days(4) },
    // domainstatus 1 = Not paid: the "unpaid" signal TheHost has (PROVIDERS §6).
    { ...second, id: "240", name: "thedomain3.com.ua", expire: days(25), domainstatus: "1" },
  ];
}

/** The seed's domain list exactly as documented (fixed 2027-02-16 and 2022-02-16 dates). */
export function theHostSeedDomains(): TheHostFakeDomain[] {
  return domainListFixture.elem.map((d) => ({ ...d }));
}

function toDoc(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDoc);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDoc(v)]));
  return { $: value };
}

/** ISPsystem error element ([ext], unverified: the seed documents none). */
function errorBody(type: string, object: string, msg: string): unknown {
  return { doc: { error: { $type: type, $object: object, $lang: "en", msg: { $: msg } } } };
}

const NGINX_404 =
  "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export async function startTheHostFake(opts: TheHostFakeOptions = {}): Promise<TheHostFake> {
  const domains: TheHostFakeDomain[] = (opts.data?.domains ?? theHostDemoDomains()).map((d) => ({ ...d }));
  const credentials = { login: THEHOST_LOGIN, password: THEHOST_PASSWORD };
  const format = opts.format ?? "flat";
  /** Domains renewed since the last list: shown once as 7 (Processing, On renewal), then back. */
  const renewing = new Map<string, string>();
  let nextDomainId = 1000;
  let nextContactId = 500;

  const ok = (json: unknown): FakeResponse => ({ json: format === "doc" ? { doc: toDoc(json) } : json });
  const fail = (type: string, object: string, msg: string): FakeResponse => ({
    json: errorBody(type, object, msg),
  });
  const done = (): FakeResponse => {
    switch (opts.successShape ?? "result") {
      case "ok":
        return { json: { doc: { $lang: "en", $func: "domain.edit", ok: {} } } };
      case "empty":
        return { json: { doc: {} } };
      case "result":
        return ok(domainEditFixture);
    }
  };

  function handle(req: FakeRequest): FakeResponse {
    if (req.path !== "/manager/billmgr")
      return { status: 404, text: NGINX_404, headers: { "content-type": "text/html" } };
    const q = new URLSearchParams(req.query);
    if (req.method === "POST" && req.body && typeof req.body === "object")
      for (const [k, v] of Object.entries(req.body as Record<string, string>)) q.set(k, v);
    if (q.get("out") !== "json")
      return {
        text: '<?xml version="1.0" encoding="UTF-8"?>\n<doc/>',
        headers: { "content-type": "text/xml" },
      };

    // authinfo=LOGIN:PASSWORD; the password may itself hold a colon, so split on the first one.
    const authinfo = q.get("authinfo") ?? "";
    const cut = authinfo.indexOf(":");
    if (
      cut < 0 ||
      authinfo.slice(0, cut) !== credentials.login ||
      authinfo.slice(cut + 1) !== credentials.password
    )
      return { json: authErrorFixture };

    const func = q.get("func") ?? "";
    const submitted = q.get("sok") === "ok";
    const domain = () => domains.find((d) => d.id === q.get("elid"));

    switch (func) {
      case "domain": {
        const all = domains.map(({ ns: _ns, ...row }) =>
          renewing.has(row.id) ? { ...row, domainstatus: "7" } : row,
        );
        const size = opts.pageSize;
        const pageNum = Math.max(1, Number(q.get("p_num") ?? 1) || 1);
        const perPage = size ? Math.max(1, Number(q.get("p_cnt") ?? size) || size) : all.length;
        const elem = size ? all.slice((pageNum - 1) * perPage, pageNum * perPage) : all;
        // The renewal marker is shown once, on the page that carries the domain.
        for (const row of elem) {
          const before = renewing.get(row.id);
          const d = domains.find((x) => x.id === row.id);
          if (before !== undefined && d) d.domainstatus = before;
          renewing.delete(row.id);
        }
        const paging = size
          ? { p_elems: String(all.length), p_num: String(pageNum), p_cnt: String(perPage) }
          : {};
        // An empty list has no elem key at all.
        return ok(elem.length ? { elem, ...paging } : paging);
      }

      case "domain.edit": {
        const d = domain();
        if (!d) return fail("access", "elid", "The object was not found or access to it is denied");
        // Without sok=ok BILLmanager answers with the form's current values, not a result.
        if (!submitted) return ok({ elid: d.id, name: d.name, changens: "off" });
        if (q.get("changens") !== "on") return done();
        const ns = [0, 1, 2, 3].map((i) => (q.get(`ns${i}`) ?? "").trim()).filter(Boolean);
        if (!q.get("ns0")?.trim()) return fail("missed", "ns0", "The 'First nameserver' field is required");
        d.ns = ns;
        return done();
      }

      case "domain.renew": {
        const d = domain();
        if (!d) return fail("access", "elid", "The object was not found or access to it is denied");
        if (!submitted) return ok({ elid: d.id, name: d.name, autoperiod: "12" });
        const months = Number(q.get("autoperiod"));
        if (!Number.isInteger(months) || months < 1)
          return fail("value", "autoperiod", "Invalid renewal period");
        if (q.get("payfrom") !== `account${d.account_id}`) return fail("value", "payfrom", "Invalid payer");
        if (q.get("paynow") !== "on") return fail("missed", "paynow", "Payment is required");
        const today = ymd(new Date());
        // A renewal extends from the current expiry, or from today once the domain has lapsed.
        d.expire = addMonths(d.expire.localeCompare(today) > 0 ? d.expire : today, months);
        renewing.set(d.id, d.domainstatus === "1" ? "2" : d.domainstatus);
        return done();
      }

      case "contcat.create.1": {
        if (!submitted || !q.get("cname"))
          return fail("missed", "cname", "The 'Contact name' field is required");
        const id = String(nextContactId++);
        // The real answer echoes authinfo inside `redirect` (seed line 75).
        const body = JSON.parse(
          JSON.stringify(contactCreateFixture)
            .replaceAll("$CONTACT_ID", id)
            .replace("$LOGIN:$PASSWORD", encodeURIComponent(authinfo)),
        ) as unknown;
        return ok(body);
      }

      case "domaincontact.edit":
        if (!submitted) return ok({ elid: q.get("elid") ?? "" });
        return done();

      case "domain.order.4": {
        if (!submitted) return ok({});
        const name = `${q.get("domain") ?? ""}.${q.get("tld") ?? ""}`;
        if (!q.get("domain") || !q.get("tld"))
          return fail("missed", "domain", "The 'Domain' field is required");
        domains.push({
          id: String(nextDomainId++),
          name,
          account: "account (account name)",
          account_id: (q.get("payfrom") ?? "account100").replace(/^account/, ""),
          expire: addMonths(ymd(new Date()), 12),
          autoperiod: "-",
          domainstatus: q.get("paynow") === "on" ? "5" : "1",
          ns: (q.get("nslist_0") ?? "").split(" ").filter(Boolean),
        });
        return done();
      }

      default:
        return fail("missed", "func", `Function '${func}' not found`);
    }
  }

  const server = await startFakeServer(handle, { port: opts.port });
  return {
    ...server,
    kind: "thehost",
    baseUrl: `${server.origin}/manager/billmgr`,
    credentials,
    wrongCredentials: { login: THEHOST_LOGIN, password: "Wr0ng-pass-51" },
    domains,
    armEnvelopeError() {
      server.fault(
        { kind: "json", json: errorBody("sys", "", "Internal error, try again later") },
        { times: 1 },
      );
    },
  };
}
