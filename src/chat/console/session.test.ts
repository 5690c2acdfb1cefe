import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { BackgroundWork, type Core } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { runConsole } from "./session.ts";

/** The parts of core a session without commands touches: where messages go, and background work. */
function idleCore(): Core {
  const core: Pick<Core, "messengers" | "background"> = {
    messengers: new Map(),
    background: new BackgroundWork(() => {}),
  };
  // Only those two are read when no command is typed; the rest of Core is not needed here.
  return core as Core;
}

function terminal(volatile: boolean) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const core = idleCore();
  const done = runConsole({
    core,
    dispatcher: { core } as Dispatcher,
    input,
    output,
    interactive: true,
    volatile,
  });
  return { input, done, text: () => text };
}

describe("console session at a terminal", () => {
  it("Ctrl-C at the prompt explains how to leave (and that the sandbox's data goes); a second one leaves", async () => {
    const t = terminal(true);
    t.input.write("\x03");
    await expect.poll(() => t.text()).toContain("To leave, type .quit or press Ctrl-D (or Ctrl-C again).");
    expect(t.text()).toContain("The sandbox keeps its data in memory: it is gone when you leave.");
    t.input.write("\x03");
    expect(await t.done).toBe(0);
  });

  it("suggests the console command a typo was meant to be", async () => {
    const t = terminal(false);
    t.input.write(".qiut\r");
    await expect.poll(() => t.text()).toContain("Unknown console command .qiut. Did you mean .quit?");
    t.input.write(".quit\r");
    expect(await t.done).toBe(0);
  });

  it("a line between two Ctrl-C starts the count again; .quit leaves", async () => {
    const t = terminal(false);
    t.input.write("\x03");
    await expect.poll(() => t.text()).toContain("To leave, type .quit");
    expect(t.text()).not.toContain("sandbox");
    t.input.write(".whoami\r");
    await expect.poll(() => t.text()).toContain("LOCAL (local admin)");
    t.input.write("\x03");
    await expect.poll(() => t.text().split("To leave").length).toBe(3);
    t.input.write(".quit\r");
    expect(await t.done).toBe(0);
  });
});
