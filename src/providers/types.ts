/**
 * The provider-driver contract. Every folder under `src/providers/` implements
 * {@link ProviderDriver} for one API; `registry.ts` maps a {@link ProviderKind} to it.
 * Other parts of the project and outside checks rely on these names: extend, never rename.
 */

export type ProviderKind = "host4coins" | "hostens" | "time4vps" | "hostkey" | "thehost" | "hostbill";

export const PROVIDER_KINDS = [
  "host4coins",
  "hostens",
  "time4vps",
  "hostkey",
  "thehost",
  "hostbill",
] as const satisfies readonly ProviderKind[];

/**
 * Human names of the kinds, used in every message a person reads. An account of a kind whose
 * name the admin gives ("hostbill": any host running HostBill) is shown by its own display name:
 * use {@link providerName} wherever an account is at hand.
 */
export const PROVIDER_NAMES: Record<ProviderKind, string> = {
  host4coins: "Host4Coins",
  hostens: "Hostens",
  time4vps: "Time4VPS",
  hostkey: "HOSTKEY",
  thehost: "TheHost",
  hostbill: "HostBill (other host)",
};

/** The name a person reads for an account: its display name when it has one, else its kind's. */
export function providerName(account: { kind: ProviderKind; displayName?: string | null }): string {
  return account.displayName || PROVIDER_NAMES[account.kind];
}

/** One optional method of {@link ProviderDriver}, by name. */
export type Capability =
  | "getBalance"
  | "listServices"
  | "getService"
  | "listInvoices"
  | "listDomains"
  | "reboot"
  | "powerOn"
  | "powerOff"
  | "listOperatingSystems"
  | "reinstall"
  | "renewService"
  | "setAutorenew"
  | "cancelService"
  | "renewDomain"
  | "setNameservers"
  | "getTask";

/** A driver whose optional method `C` is known to exist. */
export type DriverWith<C extends Capability> = ProviderDriver & Required<Pick<ProviderDriver, C>>;

/** Whether the driver can do `capability`: it declares it and has the method (a type guard). */
export function can<C extends Capability>(driver: ProviderDriver, capability: C): driver is DriverWith<C> {
  return driver.capabilities.has(capability) && typeof driver[capability] === "function";
}

/** Capabilities that change something at the provider: reachable only through an approved request. */
export const MUTATING_CAPABILITIES = [
  "reboot",
  "powerOn",
  "powerOff",
  "reinstall",
  "renewService",
  "setAutorenew",
  "cancelService",
  "renewDomain",
  "setNameservers",
] as const satisfies readonly Capability[];
export type MutatingCapability = (typeof MUTATING_CAPABILITIES)[number];

/** A sum of money. `amount` is a decimal string ("12.50"), never a float. */
export interface Money {
  amount: string;
  currency: string;
}

/**
 * "stopped": the rental runs but the machine is powered off (HOSTKEY `power_off`); it is not a
 * suspension by the provider.
 */
export type ServiceStatus =
  | "active"
  | "pending"
  | "suspended"
  | "expired"
  | "cancelled"
  | "stopped"
  | "unknown";

export interface Service {
  id: string;
  label: string;
  product: string;
  status: ServiceStatus;
  /** When the paid period ends (next due date); null when the provider gives none. */
  expiresAt: Date | null;
  autorenew: boolean | null;
  hostname?: string;
  ipv4?: string;
  ipv6?: string;
  /** Renewal price for one period, where the provider says. */
  renewalPrice?: Money;
  /** Renewal period in months (1 monthly, 12 annually), where known. */
  billingCycleMonths?: number;
  /** Renewal options (Host4Coins `renew_options`), where the provider offers a choice. */
  renewOptions?: { id: string; label: string; price?: Money }[];
  /** The provider's record, with secrets (passwords, console credentials) removed. */
  raw: unknown;
}

export type InvoiceStatus = "paid" | "unpaid" | "overdue" | "cancelled" | "unknown";

export interface Invoice {
  id: string;
  issuedAt: Date | null;
  dueAt: Date | null;
  /** null when the provider's total is missing or not a number: unknown, never shown as 0.00. */
  total: Money | null;
  status: InvoiceStatus;
  raw: unknown;
}

export interface Domain {
  id: string;
  name: string;
  expiresAt: Date | null;
  /** Provider status in lower case ("active", "expired", "not paid", …). */
  status: string;
  autorenew: boolean | null;
  nameservers?: string[];
  raw: unknown;
}

export interface ActionResult {
  /** One plain sentence a person can read ("Reboot of vps-1 started"). Never a secret. */
  summary: string;
  /** Set when the provider runs the action asynchronously: pass it to {@link ProviderDriver.getTask}. */
  taskRef?: string;
}

export interface TaskStatus {
  state: "running" | "succeeded" | "failed";
  summary: string;
}

export interface OperatingSystem {
  id: string;
  name: string;
}

export interface PinOption {
  /** HOSTKEY's PIN, typed by the approver; never stored. */
  pin?: string;
}

/**
 * One provider account's API. Every optional method exists only when the provider
 * documents a way to do it; `capabilities` lists exactly the methods present.
 * Methods throw {@link ProviderError} and nothing else.
 */
export interface ProviderDriver {
  readonly kind: ProviderKind;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * HOSTKEY only: what the admin said about the account's PIN. "ask": ask the approver up front;
   * "never": the account has none; "auto" (or absent): learn it from HOSTKEY's answers.
   */
  readonly pinMode?: "auto" | "ask" | "never";
  /** The cheapest authenticated call; throws AUTH_FAILED when the credentials are rejected. */
  verifyCredentials(): Promise<void>;
  /** Money available to spend (prepaid credit). */
  getBalance?(): Promise<Money>;
  listServices?(): Promise<Service[]>;
  getService?(id: string): Promise<Service>;
  listInvoices?(): Promise<Invoice[]>;
  listDomains?(): Promise<Domain[]>;
  // Mutating and destructive: called only by an approved confirmation request.
  reboot?(id: string, opts?: PinOption): Promise<ActionResult>;
  powerOn?(id: string, opts?: PinOption): Promise<ActionResult>;
  powerOff?(id: string, opts?: PinOption): Promise<ActionResult>;
  listOperatingSystems?(serviceId: string): Promise<OperatingSystem[]>;
  reinstall?(id: string, opts: { osId: string; sshKey?: string; pin?: string }): Promise<ActionResult>;
  renewService?(id: string, opts?: { optionId?: string }): Promise<ActionResult>;
  setAutorenew?(id: string, enabled: boolean): Promise<ActionResult>;
  cancelService?(id: string, opts: { immediate: boolean; reason: string }): Promise<ActionResult>;
  renewDomain?(id: string, opts?: { years?: number }): Promise<ActionResult>;
  setNameservers?(domainId: string, nameservers: string[]): Promise<ActionResult>;
  /** Poll an asynchronous action by the `taskRef` its {@link ActionResult} carried. */
  getTask?(ref: string): Promise<TaskStatus>;
}

export type ProviderErrorCode =
  | "AUTH_FAILED"
  | "NOT_FOUND"
  | "RATE_LIMITED"
  | "INSUFFICIENT_FUNDS"
  | "VALIDATION"
  | "UPSTREAM"
  | "NETWORK"
  | "UNEXPECTED_RESPONSE";

/**
 * The only error a driver throws. `message` is safe to show a person: it never contains a
 * credential, a token or a PIN.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly provider: ProviderKind | undefined;
  /** HTTP status, when the error came from one. */
  readonly status: number | undefined;
  /**
   * "baseUrl": the account's base URL is what to correct (unreachable, refused by the address
   * guard, a redirect, not this provider's API); forms show the error on that field.
   */
  readonly about: "baseUrl" | undefined;
  /**
   * True when the request provably never reached the provider (connection refused, name not
   * resolved, a check before sending). A mutating call that fails this way did nothing.
   */
  readonly notSent: boolean;
  /**
   * True when the provider refused the action because of its PIN (missing, wrong or locked):
   * nothing was done, and the approver may try again with the right PIN.
   */
  readonly pinRejected: boolean;
  /** The account's display name, when its kind's name is not what a person knows it by. */
  readonly displayName: string | undefined;

  constructor(
    code: ProviderErrorCode,
    message: string,
    opts: {
      retryable?: boolean;
      provider?: ProviderKind;
      status?: number;
      cause?: unknown;
      about?: "baseUrl";
      notSent?: boolean;
      pinRejected?: boolean;
      displayName?: string;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.retryable = opts.retryable ?? (code === "NETWORK" || code === "RATE_LIMITED" || code === "UPSTREAM");
    this.provider = opts.provider;
    this.status = opts.status;
    this.about = opts.about;
    this.notSent = opts.notSent ?? false;
    this.pinRejected = opts.pinRejected ?? false;
    this.displayName = opts.displayName;
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/**
 * Whether a failed mutating call provably did nothing at the provider. Only these may end a
 * request as "failed"; anything else (a timeout or reset after sending, a 5xx, an unreadable or
 * unexpected answer) means the outcome is unknown and must be checked at the provider, so that
 * nobody is invited to pay twice.
 */
export function provedNothingHappened(err: unknown): boolean {
  if (!(err instanceof ProviderError)) return false;
  if (err.notSent || err.pinRejected) return true;
  switch (err.code) {
    case "AUTH_FAILED":
    case "VALIDATION":
    case "INSUFFICIENT_FUNDS":
    case "NOT_FOUND":
    case "RATE_LIMITED":
      return true;
    case "NETWORK":
    case "UPSTREAM":
    case "UNEXPECTED_RESPONSE":
      return false;
  }
}
