import { sql } from "drizzle-orm";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { auditLog } from "../../src/db/schema.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const COMMANDS = 1000;
const CHANNELS = 50;

describe("load: 1000 commands from 50 channels on real Postgres", () => {
  let slack: FakeSlack;
  let fake: HostBillFake;
  let app: Hostops;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const pg = await freshPostgres("load");
    drop = pg.drop;
    slack = await startFakeSlack();
    fake = await startHostBillFake({ kind: "time4vps" });
    app = await startHostops({
      // Production mode: the HTTP 200 goes out at ack(), the answer comes later through response_url.
      config: testConfig({ DATABASE_URL: pg.url, SLACK_API_URL: slack.apiUrl }),
      overrides: { providerRetries: 0, noTimers: true, slackProcessBeforeResponse: false },
    });
    const account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "prod",
      kind: "time4vps",
      baseUrl: fake.baseUrl,
      credentials: fake.credentials,
      createdBy: "U0",
    });
    for (let c = 0; c < CHANNELS; c++) await app.core.accounts.bind(account, `CLOAD${c}`, "U0");
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await slack?.close();
    await drop?.();
  });

  it("acknowledges and answers every command and audits each once", async () => {
    const events = `http://127.0.0.1:${app.port}/slack/events`;
    const limit = pLimit(100);
    const commands = ["services", "balance", "invoices", "help", "bindings"];
    const statuses = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        limit(async () => {
          const body = slashCommand(commands[i % commands.length]!, {
            user: `U${i % 97}`,
            channel: `CLOAD${i % CHANNELS}`,
            responseUrl: slack.responseUrl(`load-${i}`),
          });
          const res = await signedPost(events, body, { secret: SIGNING_SECRET });
          await res.arrayBuffer();
          return res.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Every command is answered through its response_url.
    await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        slack.waitFor((c) => c.method === `response:load-${i}`, 60_000),
      ),
    );
    const answers = slack.responses().filter((c) => c.method.startsWith("response:load-"));
    expect(answers).toHaveLength(COMMANDS);
    const errors = answers.filter((a) =>
      /Something went wrong|cannot reach its database/.test(JSON.stringify(a.body)),
    );
    expect(errors).toEqual([]);
    await app.core.background.idle();
    const [row] = await app.db.rows<{ n: number }>(sql`select count(*)::int as n from ${auditLog}`);
    expect(row?.n).toBe(COMMANDS);
  }, 180_000);
});
