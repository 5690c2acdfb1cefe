import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLineInput } from "./lines.ts";

function capture() {
  const output = new PassThrough();
  let text = "";
  output.on("data", (c: Buffer) => {
    text += c.toString();
  });
  return { output, text: () => text };
}

describe("console line input", () => {
  it("at a terminal, shows the prompt of a secret but not what is typed", async () => {
    const input = new PassThrough();
    const out = capture();
    const io = createLineInput({ input, output: out.output, interactive: true });
    const pending = io.read("HOSTKEY PIN (hidden): ", { secret: true });
    input.write("s3cret-Value-99\r");
    expect(await pending).toBe("s3cret-Value-99");
    const visible = io.read("hosting> ");
    input.write("services\r");
    expect(await visible).toBe("services");
    io.close();
    expect(out.text()).toContain("HOSTKEY PIN (hidden): ");
    expect(out.text()).not.toContain("s3cret");
    expect(out.text()).toContain("services");
  });

  it("from a pipe, writes each prompt with the line it got (a secret as hidden) and ends with null", async () => {
    const input = new PassThrough();
    const out = capture();
    const io = createLineInput({ input, output: out.output, interactive: false });
    input.end("services\nsecret-Value-77\n");
    expect(await io.read("hosting> ")).toBe("services");
    expect(await io.read("Password: ", { secret: true })).toBe("secret-Value-77");
    expect(await io.read("hosting> ")).toBeNull();
    expect(out.text()).toBe("hosting> services\nPassword: (hidden)\n");
  });

  it("holds output that arrives while a secret is typed until it is entered", async () => {
    const input = new PassThrough();
    const out = capture();
    const io = createLineInput({ input, output: out.output, interactive: true });
    const pending = io.read("PIN: ", { secret: true });
    io.print("an alert arrived");
    expect(out.text()).not.toContain("an alert arrived");
    input.write("1234\r");
    await pending;
    expect(out.text()).toContain("an alert arrived");
    io.close();
  });

  it("Ctrl-C answers the prompt with null and says it was an interrupt; the input goes on", async () => {
    const input = new PassThrough();
    const out = capture();
    const io = createLineInput({ input, output: out.output, interactive: true });
    const first = io.read("hosting> ");
    input.write("\x03");
    expect(await first).toBeNull();
    expect(io.interrupted).toBe(true);
    const second = io.read("hosting> ");
    expect(io.interrupted).toBe(false);
    input.write("services\r");
    expect(await second).toBe("services");
    io.close();
    expect(out.text()).toContain("^C");
  });
});
