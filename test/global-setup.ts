/** Runs once before the suite; every test process inherits this environment. */
export default function setup(): void {
  process.env.HOSTOPS_TEST = "1";
  // The provider fakes listen on loopback, which the private-address guard refuses by default.
  // Tests of the guard turn it back on themselves (setOutboundPolicy).
  process.env.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS = "1";
}
