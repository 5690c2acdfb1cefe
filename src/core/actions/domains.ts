import { z } from "zod";
import { accountParam, domainNameSchema, labelSchema } from "../commands/shared.ts";
import { plain } from "../format.ts";
import { rich, strong } from "../rich.ts";
import { defineAction, domainParams, onAccount } from "./define.ts";
import { accountFlag, domainParam, findDomain } from "./targets.ts";

/** Domain renewal and nameservers. */

const domainSubject = (p: { domainName: string }) => plain(p.domainName, 60);

const years = z.number().int().min(1, "must be between 1 and 10").max(10, "must be between 1 and 10");

export const domainRenewAction = defineAction({
  name: "domain-renew",
  capability: "renewDomain",
  title: "Renew domain",
  // An alert's Renew button asks for one year without saying so.
  params: domainParams.extend({ years: years.default(1) }),
  describe: (p, a) =>
    rich`Renew domain ${strong(p.domainName)} for ${p.years} year(s) ${onAccount(a)}. This spends money.`,
  subject: domainSubject,
  run: (d, p) => d.renewDomain(p.domainId, { years: p.years }),
  command: {
    path: ["domain", "renew"],
    summary: "Request a domain renewal (after approval)",
    params: [
      domainParam,
      { name: "years", description: "years (1-10)", type: "integer", min: 1, max: 10 },
      accountParam,
    ],
    schema: z.object({ domain: domainNameSchema, years: years.optional(), account: labelSchema.optional() }),
    async target(ctx, args) {
      const { account, domain } = await findDomain(ctx, args.domain, args.account, "renewDomain");
      return { account, params: { domainId: domain.id, domainName: domain.name, years: args.years ?? 1 } };
    },
  },
});

/** "ns1.host.net ns2.host.net" or "ns1.host.net, ns2.host.net." as typed: 2 to 4 distinct names. */
const nameserverList = z
  .array(domainNameSchema)
  .min(2, "must list at least two nameservers")
  .max(4, "must list at most four nameservers")
  .refine((l) => new Set(l).size === l.length, "must list each nameserver once");

const nameserversArg = z
  .string()
  .trim()
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((n) => n.toLowerCase().replace(/\.$/, "")),
  )
  .pipe(nameserverList);

export const domainNsAction = defineAction({
  name: "domain-ns",
  capability: "setNameservers",
  title: "Change nameservers",
  params: domainParams.extend({ nameservers: nameserverList }),
  describe: (p, a) =>
    rich`Set the nameservers of ${strong(p.domainName)} ${onAccount(a)} to ${p.nameservers.join(", ")}.`,
  warning: () => "Wrong nameservers take the domain's websites and mail offline until fixed.",
  subject: domainSubject,
  run: (d, p) => d.setNameservers(p.domainId, p.nameservers),
  command: {
    path: ["domain", "ns"],
    summary: "Request a nameserver change for a domain (after approval)",
    examples: ["/hosting domain ns example.com ns1.host.net ns2.host.net"],
    params: [
      domainParam,
      accountFlag,
      { name: "nameservers", description: "2 to 4 nameservers", type: "string", rest: true, required: true },
    ],
    schema: z.object({
      domain: domainNameSchema,
      account: labelSchema.optional(),
      nameservers: nameserversArg,
    }),
    async target(ctx, args) {
      const { account, domain } = await findDomain(ctx, args.domain, args.account, "setNameservers");
      return {
        account,
        params: { domainId: domain.id, domainName: domain.name, nameservers: args.nameservers },
      };
    },
  },
});
