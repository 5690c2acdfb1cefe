import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry for the process; `/metrics` serves it. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const commandsTotal = new Counter({
  name: "hostops_commands_total",
  help: "Commands handled, by command path and outcome",
  labelNames: ["command", "outcome", "platform"] as const,
  registers: [registry],
});

export const providerCalls = new Histogram({
  name: "hostops_provider_call_seconds",
  help: "Provider API calls, by provider, operation and outcome",
  labelNames: ["provider", "operation", "outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});

export const alertsPosted = new Counter({
  name: "hostops_alerts_posted_total",
  help: "Alerts posted to channels, by kind",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const confirmationsByState = new Gauge({
  name: "hostops_confirmation_requests",
  help: "Confirmation requests by state (updated on each transition and scrape)",
  labelNames: ["state"] as const,
  registers: [registry],
});
