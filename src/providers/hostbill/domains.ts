/**
 * HostBill domains (Hostens documents the routes; Time4VPS has none, PROVIDERS.md 3.2): the domain
 * list, renewal, and nameservers. "line N" = a line in seeds/hostens-client-api.txt.
 */
import type { ActionResult, Domain } from "../types.ts";
import { type HostBillContext, ID } from "./context.ts";
import { cleanRaw } from "./tasks.ts";

export async function listDomains(c: HostBillContext): Promise<Domain[]> {
  return (await c.api.listDomains()).map(({ value: d, raw }) => {
    const out: Domain = {
      id: d.id,
      name: d.name,
      // `expires` is "YYYY-MM-DD" (line 944).
      expiresAt: d.expires,
      status: d.status.toLowerCase() || "unknown",
      autorenew: d.autorenew,
      raw: cleanRaw(raw),
    };
    if (d.nameservers) out.nameservers = d.nameservers;
    return out;
  });
}

export async function renewDomain(
  c: HostBillContext,
  id: string,
  opts: { years?: number } | undefined,
): Promise<ActionResult> {
  const did = c.checkId(id, "domain");
  const years = opts?.years ?? 1;
  if (!Number.isInteger(years) || years < 1 || years > 10)
    throw c.fail("VALIDATION", `A domain renewal is 1 to 10 whole years, not ${years}.`);
  const { value: dom } = await c.api.getDomain(did);
  // pay_method is required (line 1633). The API has no "pay from credit" id: take the first
  // method the account offers (GET /payment); the renewal invoice is settled from the credit
  // when the account's billing settings apply it.
  const methods = (await c.api.listPaymentMethods()).filter((p) => ID.test(p.id));
  const method = methods[0];
  if (!method)
    throw c.fail("VALIDATION", `${c.name} lists no payment method for this account, so it cannot renew.`);
  const order = await c.api.renewDomain(did, years, method.id);
  const invoice = order.invoice_id ? `; invoice ${order.invoice_id}` : "";
  const total = order.total ? ` of ${order.total}` : "";
  return {
    summary:
      `Renewal of ${dom.name} for ${years} year${years === 1 ? "" : "s"} ordered` +
      `${invoice}${total} (payment method ${method.name || method.id}).`,
  };
}

export async function setNameservers(
  c: HostBillContext,
  domainId: string,
  nameservers: string[],
): Promise<ActionResult> {
  const did = c.checkId(domainId, "domain");
  const list = nameservers.map((n) => n.trim().toLowerCase().replace(/\.$/, "")).filter((n) => n !== "");
  const bad = list.find(
    (n) => !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(n),
  );
  if (bad) throw c.fail("VALIDATION", `"${bad.slice(0, 80)}" is not a nameserver host name.`);
  // Domain orders take "2 - 4 nameservers" (line 1585); none restores the defaults.
  if (list.length === 1 || list.length > 4)
    throw c.fail(
      "VALIDATION",
      `Give 2 to 4 nameservers (or none for ${c.name}'s defaults), not ${list.length}.`,
    );
  if (new Set(list).size !== list.length) throw c.fail("VALIDATION", "The nameserver list repeats a name.");
  const { value: dom } = await c.api.getDomain(did);
  // An empty list restores the registrar's default nameservers (line 1087).
  await c.api.setNameservers(did, list);
  return {
    summary:
      list.length === 0
        ? `Nameservers of ${dom.name} reset to ${c.name}'s defaults.`
        : `Nameservers of ${dom.name} set to ${list.join(", ")}.`,
  };
}
