// The baseline of bench/startup.ts: a bare Bolt app (HTTP receiver) that only acks /hosting, in
// plain JavaScript like compiled hostops. Prints a JSON "bare bolt is ready" line with its port.
import bolt from "@slack/bolt";

const app = new bolt.App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : undefined,
  logLevel: bolt.LogLevel.ERROR,
});
app.command("/hosting", async ({ ack }) => {
  await ack();
});
const server = await app.start({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ msg: "bare bolt is ready", port: server.address().port })}\n`);
process.once("SIGTERM", () => {
  void app.stop().finally(() => process.exit(0));
});
