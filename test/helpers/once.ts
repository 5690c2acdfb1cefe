/**
 * A step that several tests of a file build on (an account added, then bound), run once by
 * whichever test needs it first. A test that needs the account bound awaits `bound()` itself
 * instead of counting on an earlier test to have bound it, so the tests pass in any order
 * (`vitest --sequence.shuffle`). The test that is about the step asserts on what it resolves with.
 * A step that failed fails every test that needs it, with its error.
 */
export function once<T>(step: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= step();
    return running;
  };
}
