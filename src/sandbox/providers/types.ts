import type { ProviderKind } from "../../providers/types.ts";
import type { FakeServer } from "./fake-server.ts";

/** What every provider fake offers the contract suite, the integration tests and the sandbox. */
export interface ProviderFake extends FakeServer {
  kind: ProviderKind;
  /** The base URL to give the driver (the documented base path on the fake's origin). */
  baseUrl: string;
  /** Credentials the fake accepts. */
  credentials: Record<string, string>;
  /** Well-formed credentials the fake rejects, the way the real provider does. */
  wrongCredentials: Record<string, string>;
  /** The next request gets the provider's error envelope inside an HTTP 200 body. */
  armEnvelopeError(): void;
}
