/** Runs once before the suite: nothing to prepare yet beyond a clean environment marker. */
export default function setup(): void {
  process.env.HOSTOPS_TEST = "1";
}
