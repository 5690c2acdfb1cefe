/**
 * 4. Alert scan scale: N bindings (each its own Host4Coins account and channel) x S services,
 * provider latency L, per-provider concurrency as configured (HOSTOPS_PROVIDER_CONCURRENCY,
 * default 4): scan time, its ratio to the ideal (calls x latency / concurrency), alerts posted,
 * and duplicates (must be 0) — also when two "replicas" scan at the same moment.
 *
 * `npx tsx bench/alert-scan.ts [--quick]`
 */

import { type H4cServiceRow, h4cDate, startHost4coinsFake } from "../test/fakes/providers/host4coins.ts";
import { type FakeSlack, startFakeSlack } from "../test/fakes/slack.ts";
import { freshPostgres } from "../test/helpers/db.ts";
import { flag } from "./lib/args.ts";
import { startTarget, type Target } from "./lib/child.ts";
import { BOT_TOKEN, postgresAvailable, SECRET_KEY, SIGNING_SECRET, TEAM } from "./lib/env.ts";
import { type BenchResult, benchMain, dist, measure, single } from "./lib/report.ts";
import { ratio, summarize } from "./lib/stats.ts";
import type { ScanFigures } from "./lib/target.ts";

export const meta = { id: "alert-scan", title: "4. Alert scan scale" };

const DAY = 86_400_000;
const CONCURRENCY = 4; // HOSTOPS_PROVIDER_CONCURRENCY default, left as configured

interface Scale {
  bindings: number;
  services: number;
  latencyMs: number;
  runs: number;
  /** Also run two scans at once afterwards (replica race). */
  race: boolean;
}

/** `count` services: 5 expire within the 14-day threshold (alerts), the rest in 2+ months. */
function services(template: H4cServiceRow, count: number, now: number): H4cServiceRow[] {
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    id: String(1000 + i),
    host_name: `srv${i}.bench.example`,
    end_dt: h4cDate(now + (i < 5 ? (i + 1) * DAY : (60 + i) * DAY)),
    status: "running",
    autorenew: "yes",
  }));
}

/** Alerts in the digests the fake Slack received since `from` ("N alerts for …" headers). */
function postedAlerts(
  slack: FakeSlack,
  from: number,
): { messages: number; alerts: number; channels: number } {
  const posts = slack.calls.slice(from).filter((c) => c.method === "chat.postMessage");
  let alerts = 0;
  const channels = new Set<string>();
  for (const p of posts) {
    channels.add(String(p.body.channel));
    const m = /(\d+) alerts? for /.exec(JSON.stringify(p.body.blocks ?? p.body.text ?? ""));
    alerts += m ? Number(m[1]) : 0;
  }
  return { messages: posts.length, alerts, channels: channels.size };
}

export async function run(opts: { quick?: boolean } = {}): Promise<BenchResult> {
  const scales: Scale[] = opts.quick
    ? [
        { bindings: 20, services: 50, latencyMs: 50, runs: 2, race: true },
        { bindings: 200, services: 50, latencyMs: 50, runs: 1, race: false },
      ]
    : [
        { bindings: 20, services: 50, latencyMs: 50, runs: 3, race: true },
        { bindings: 200, services: 50, latencyMs: 50, runs: 2, race: true },
        { bindings: 2000, services: 10, latencyMs: 5, runs: 1, race: false },
      ];
  return measure(meta, async (r) => {
    const pgVersion = await postgresAvailable();
    if (!pgVersion) {
      r.status = "skipped";
      r.reason = "Postgres does not answer at TEST_DATABASE_URL / 127.0.0.1:5432";
      return;
    }
    r.setup = `hostops in a child process on a fresh Postgres 15 database (freshPostgres), Slack messenger against the fake Slack. Each binding is its own Host4Coins account bound to its own channel; a scan fetches balance, services, domains and invoices per account (4 calls) through the per-provider limiter (concurrency ${CONCURRENCY}, the configured default). 5 of each account's services expire within the 14-day threshold. Each measured run starts from an empty alert_deliveries table (every alert is a new crossing). "Race" (20 and 200 bindings) = two scans started at the same moment on an empty alert_deliveries table, as if two replicas both fired: together they must post every alert exactly once. Duplicates = alerts in the digests the fake Slack received beyond the rows marked sent, plus extra digests per channel. Ideal = provider calls x latency / concurrency. At 2000 bindings latency is 5 ms and 10 services per account, to keep the whole run within the time budget.`;
    const pg = await freshPostgres("bench_scan");
    const slack = await startFakeSlack();
    const now = Date.now();
    const provider = await startHost4coinsFake();
    const template = provider.state.services[0]!;
    let target: Target | undefined;
    try {
      const t = await startTarget({
        kind: "hostops",
        slack: { apiUrl: slack.apiUrl, signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN },
        secretKey: SECRET_KEY,
        databaseUrl: pg.url,
      });
      target = t;
      let seeded = 0;
      const growth: string[] = [];
      const deadline = performance.now() + 150_000;
      for (const scale of scales) {
        if (performance.now() > deadline) {
          r.notes.push(`${scale.bindings} bindings: skipped, the time budget was used up.`);
          continue;
        }
        provider.setLatency(0);
        provider.state.services = services(template, scale.services, now);
        await t.call("bulk", {
          count: scale.bindings - seeded,
          offset: seeded,
          platform: "slack",
          workspaceId: TEAM,
          kind: "host4coins",
          baseUrl: provider.baseUrl,
          credentials: provider.credentials,
        });
        seeded = scale.bindings;
        provider.setLatency(scale.latencyMs);
        const times: number[] = [];
        const ratios: number[] = [];
        let posted = 0;
        let calls = 0;
        let duplicates = 0;
        let failures = 0;
        let raceNotes = "";
        for (let i = 0; i < scale.runs; i++) {
          await t.call("resetAlerts");
          const before = provider.count();
          const fromCall = slack.calls.length;
          const [s] = await t.call<ScanFigures[]>("scan", { replicas: 1 }, 170_000);
          const c = provider.count() - before;
          const ideal = (c * scale.latencyMs) / CONCURRENCY;
          times.push(s!.ms);
          ratios.push(ratio(s!.ms, ideal));
          calls = c;
          posted = s!.posted;
          failures += s!.failures + s!.deliveryFailures;
          const seen = postedAlerts(slack, fromCall);
          const rows = await t.call<Record<string, number>>("alerts");
          // Every alert the channels saw beyond the rows marked sent is a duplicate post.
          duplicates +=
            Math.max(0, seen.alerts - (rows.sent ?? 0)) + Math.max(0, seen.messages - seen.channels);
        }
        if (scale.race) {
          // Two scans from an empty table at the same moment: both find every alert new and race
          // for the claims. Together they must post each alert once.
          await t.call("resetAlerts");
          const fromCall = slack.calls.length;
          const both = await t.call<ScanFigures[]>("scan", { replicas: 2 }, 170_000);
          const total = both.reduce((a, x) => a + x.posted, 0);
          const seen = postedAlerts(slack, fromCall);
          const rows = await t.call<Record<string, number>>("alerts");
          const dup =
            Math.max(0, seen.alerts - (rows.sent ?? 0)) + Math.max(0, seen.messages - seen.channels);
          duplicates += dup;
          raceNotes = `two scans started together on an empty table posted ${both.map((x) => x.posted).join(" + ")} = ${total} alerts (one scan alone: ${posted}) in ${seen.messages} digests to ${seen.channels} channels, ${dup} duplicate(s), in ${Math.round(both[0]!.ms)} ms`;
        }
        const label = `${scale.bindings} bindings x ${scale.services} services, ${scale.latencyMs} ms`;
        const ts = summarize(times);
        const rs = summarize(ratios);
        r.figures.push(
          dist(`${label}: scan time`, "ms", ts),
          dist(
            `${label}: ratio to ideal (${calls} calls x ${scale.latencyMs} ms / ${CONCURRENCY})`,
            "x",
            rs,
            {
              target: "informational (≥ 1)",
            },
          ),
          single(`${label}: alerts posted per scan`, "", posted, {
            text: `${posted} (${posted / scale.bindings} per binding)`,
          }),
          single(`${label}: duplicate posts`, "", duplicates, { target: "0", pass: duplicates === 0 }),
        );
        const ideal = (calls * scale.latencyMs) / CONCURRENCY;
        growth.push(
          `${scale.bindings} bindings: ${(ts.median / scale.bindings).toFixed(1)} ms per binding, ${(Math.max(0, ts.median - ideal) / scale.bindings).toFixed(1)} ms of it beyond the provider wait`,
        );
        if (failures) r.notes.push(`${label}: ${failures} account or delivery failure(s) during the scans.`);
        if (raceNotes) r.notes.push(`${label}: ${raceNotes}.`);
      }
      r.notes.push(
        `How the cost grows (median scan time / bindings): ${growth.join("; ")}. The scan time is linear in provider calls (4 per account) divided by the per-provider concurrency; the rest is per binding (parsing the 4 answers, evaluating the rules, 3 queries on alert_deliveries, one chat.postMessage). At 50 ms latency that rest hides behind the provider wait; at 5 ms (2000 bindings) it shows, hence the larger ratio to the ideal. A deployment with thousands of accounts on one provider can raise HOSTOPS_PROVIDER_CONCURRENCY if the provider allows it.`,
        `Postgres: ${pgVersion.split(" on ")[0]}.`,
      );
    } finally {
      await target?.stop().catch(() => {});
      await provider.close();
      await slack.close();
      await pg.drop().catch(() => {});
    }
  });
}

await benchMain(import.meta.url, () => run({ quick: flag("quick") }));
