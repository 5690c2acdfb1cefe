import type { Core } from "../core/context.ts";
import type { Platform } from "../db/schema.ts";
import { PROVIDER_KINDS, type ProviderKind, providerName } from "../providers/types.ts";
import { startHost4coinsFake } from "./providers/host4coins.ts";
import { startHostBillFake } from "./providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "./providers/hostkey.ts";
import { startTheHostFake } from "./providers/thehost.ts";
import type { ProviderFake } from "./providers/types.ts";

/**
 * The sandbox: local simulators of the provider APIs (five hosts, and a third HostBill host under
 * the name "Acme Hosting") (the same code the tests use as fakes),
 * with demo data whose dates are relative to now — services expiring within days, an overdue
 * invoice, a low balance — and one demo account per provider kind bound to a channel, so that
 * every command, approval and alert can be tried without real credentials.
 *
 * Product code never imports this folder; only the `--sandbox` entry point does.
 */

export interface SandboxProviders {
  fakes: Map<ProviderKind, ProviderFake>;
  close(): Promise<void>;
}

/** Starts one simulator per provider kind on a free loopback port. */
export async function startSandboxProviders(): Promise<SandboxProviders> {
  const fakes = new Map<ProviderKind, ProviderFake>();
  try {
    fakes.set("host4coins", await startHost4coinsFake());
    fakes.set("hostens", await startHostBillFake({ kind: "hostens" }));
    fakes.set("time4vps", await startHostBillFake({ kind: "time4vps" }));
    fakes.set("hostkey", await startHostkeyFake());
    fakes.set("thehost", await startTheHostFake());
    fakes.set("hostbill", await startHostBillFake({ kind: "hostbill" }));
  } catch (err) {
    await Promise.allSettled([...fakes.values()].map((f) => f.close()));
    throw err;
  }
  return {
    fakes,
    close: async () => {
      await Promise.allSettled([...fakes.values()].map((f) => f.close()));
    },
  };
}

/** Where the demo accounts are bound: the console channel, or a Slack/Discord channel. */
export interface SandboxTarget {
  platform: Platform;
  workspaceId: string;
  channelId: string;
}

export const demoLabel = (kind: ProviderKind) => `demo-${kind}`;

/** The provider name of the demo account of a kind that the admin names (HostBill other host). */
export const SANDBOX_DISPLAY_NAMES: Partial<Record<ProviderKind, string>> = { hostbill: "Acme Hosting" };

/** The demo account with a minimum balance above its demo credit, so the low-balance alert shows. */
const LOW_BALANCE_KIND: ProviderKind = "hostens";

/**
 * Adds one demo account per provider kind in each target's workspace (through AccountService.add,
 * so the credentials are checked against the simulator like real ones) and binds it to the channel.
 */
export async function seedSandbox(
  core: Core,
  sandbox: SandboxProviders,
  targets: SandboxTarget[],
  createdBy = "sandbox",
): Promise<{ label: string; kind: ProviderKind; target: SandboxTarget }[]> {
  const seeded: { label: string; kind: ProviderKind; target: SandboxTarget }[] = [];
  for (const target of targets) {
    for (const kind of PROVIDER_KINDS) {
      const fake = sandbox.fakes.get(kind);
      if (!fake) continue;
      const label = demoLabel(kind);
      const account =
        (await core.accounts.findByLabel(target.platform, target.workspaceId, label)) ??
        (await core.accounts.add({
          platform: target.platform,
          workspaceId: target.workspaceId,
          label,
          kind,
          baseUrl: fake.baseUrl,
          displayName: SANDBOX_DISPLAY_NAMES[kind] ?? null,
          credentials: fake.credentials,
          createdBy,
        }));
      await core.accounts.bind(account, target.channelId, createdBy);
      if (kind === LOW_BALANCE_KIND) {
        const balance = await core.accounts.driverFor(account).getBalance?.();
        const binding = (
          await core.accounts.channelAccounts(target.platform, target.workspaceId, target.channelId)
        ).find((b) => b.account.id === account.id)?.binding;
        if (balance && binding)
          await core.accounts.updateBinding(binding.id, {
            alertSettings: {
              ...binding.alertSettings,
              minBalance: (Math.ceil(Number(balance.amount)) * 2 + 10).toFixed(2),
            },
          });
      }
      seeded.push({ label, kind, target });
    }
  }
  return seeded;
}

/** What the person starting the sandbox is told. */
export function sandboxBanner(targets: SandboxTarget[]): string {
  const where = targets
    .map((t) =>
      t.platform === "console" ? "this console" : `${t.platform} ${t.workspaceId} channel ${t.channelId}`,
    )
    .join(", ");
  return [
    "hostops sandbox: simulated provider APIs with demo data; nothing reaches a real provider.",
    `Demo accounts bound to ${where}: ${PROVIDER_KINDS.map((k) => `${demoLabel(k)} (${providerName({ kind: k, displayName: SANDBOX_DISPLAY_NAMES[k] })})`).join(", ")}.`,
    `Try: services · balance · invoices --unpaid · domains · alerts run · reboot <service id> demo-hostens · pending · audit`,
    `The HOSTKEY simulator's PIN is ${HOSTKEY_FAKE_PIN}. The data lives in memory and is gone when you quit.`,
  ].join("\n");
}
