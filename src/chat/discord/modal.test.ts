import { describe, expect, it } from "vitest";
import type { Modal, ModalField } from "../../core/reply.ts";
import { MemoryPayloadStore } from "./custom-id.ts";
import { fieldErrorsText, MODAL_LIMITS, readModalValues, refill, renderModal } from "./modal.ts";

const field = (id: string, over: Partial<ModalField> = {}): ModalField => ({
  id,
  label: id,
  kind: "text",
  ...over,
});
const modal = (fields: ModalField[], over: Partial<Modal> = {}): Modal => ({
  id: "accounts:add",
  title: "Add Time4VPS account",
  submitLabel: "Add",
  state: '{"kind":"time4vps"}',
  fields,
  ...over,
});

type Rendered = Extract<ReturnType<typeof renderModal>, { ok: true }>["data"];
const inputs = (d: Rendered) =>
  d.components.map((c) => ("components" in c ? c.components[0] : "component" in c ? c.component : undefined));

describe("renderModal", () => {
  it("carries the state in the custom_id and makes one text input per field", () => {
    const r = renderModal(
      modal([
        field("label", { placeholder: "prod", maxLength: 32 }),
        field("cred_password", { kind: "secret" }),
        field("base_url", { optional: true, initial: "https://x" }),
      ]),
      new MemoryPayloadStore(),
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.custom_id).toBe('accounts:add|{"kind":"time4vps"}');
    expect(inputs(r.data)).toEqual([
      {
        type: 4,
        custom_id: "label",
        style: 1,
        label: "label",
        required: true,
        placeholder: "prod",
        max_length: 32,
      },
      // Discord has no masked input: a secret is an ordinary (short) text input.
      { type: 4, custom_id: "cred_password", style: 1, label: "cred_password", required: true },
      { type: 4, custom_id: "base_url", style: 1, label: "base_url", required: false, value: "https://x" },
    ]);
  });

  it("clips title, labels and placeholders to Discord's limits", () => {
    const r = renderModal(
      modal(
        [
          field("x", {
            label: "L".repeat(80),
            placeholder: "P".repeat(300),
            multiline: true,
            maxLength: 9000,
          }),
        ],
        { title: "T".repeat(80) },
      ),
      new MemoryPayloadStore(),
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.title).toHaveLength(MODAL_LIMITS.title);
    const input = inputs(r.data)[0] as {
      label: string;
      placeholder: string;
      style: number;
      max_length: number;
    };
    expect(input.label).toHaveLength(MODAL_LIMITS.label);
    expect(input.placeholder).toHaveLength(MODAL_LIMITS.placeholder);
    expect(input.style).toBe(2);
    expect(input.max_length).toBe(4000);
  });

  it("drops optional fields beyond 5 inputs, and refuses more than 5 required ones", () => {
    const six = [1, 2, 3, 4, 5].map((i) => field(`r${i}`)).concat(field("opt", { optional: true }));
    const r = renderModal(modal(six), new MemoryPayloadStore());
    if (!r.ok) throw new Error(r.reason);
    expect(inputs(r.data).map((i) => i?.custom_id)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    const tooMany = renderModal(
      modal([1, 2, 3, 4, 5, 6].map((i) => field(`r${i}`))),
      new MemoryPayloadStore(),
    );
    expect(tooMany).toMatchObject({ ok: false });
  });

  it("renders a select of up to 25 options as a select menu, a longer one as a text input", () => {
    const options = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ value: String(100 + i), label: `Ubuntu ${i}` }));
    const small = renderModal(
      modal([field("os", { kind: "select", options: options(3), initial: "101" })]),
      new MemoryPayloadStore(),
    );
    if (!small.ok) throw new Error(small.reason);
    expect(small.data.components[0]).toMatchObject({
      type: 18,
      label: "os",
      component: {
        type: 3,
        custom_id: "os",
        min_values: 1,
        max_values: 1,
        options: [{ value: "100", default: false }, { value: "101", default: true }, { value: "102" }],
      },
    });
    const big = renderModal(
      modal([field("os", { kind: "select", options: options(40) })]),
      new MemoryPayloadStore(),
    );
    if (!big.ok) throw new Error(big.reason);
    expect(inputs(big.data)[0]).toMatchObject({ type: 4, placeholder: "Type a name or id, e.g. Ubuntu 0" });
  });

  it("puts a state too long for the custom_id in the store", () => {
    const r = renderModal(
      modal([field("a")], { state: JSON.stringify({ ids: Array.from({ length: 30 }, (_, i) => i * 7919) }) }),
      new MemoryPayloadStore(),
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.data.custom_id.length).toBeLessThanOrEqual(100);
  });
});

describe("form values", () => {
  const os = field("os", {
    kind: "select",
    options: [
      { value: "7", label: "Ubuntu 22.04" },
      { value: "8", label: "Ubuntu 24.04" },
      { value: "9", label: "Debian 12" },
    ],
  });

  it.each([
    ["8", "8"],
    ["debian 12", "9"],
    ["debian", "9"],
    ["ubuntu", "ubuntu"],
    ["", ""],
  ])("maps a typed select %j to %j", (typed, value) => {
    expect(readModalValues({ os: typed }, modal([os])).os).toBe(value);
  });

  it("refills a refused form with what was typed, except secrets", () => {
    const m = refill(modal([field("label"), field("cred_password", { kind: "secret", initial: "x" })]), {
      label: "prod",
      cred_password: "hunter2",
    });
    expect(m.fields.map((f) => f.initial)).toEqual(["prod", undefined]);
  });

  it("lists field errors by label", () => {
    const text = fieldErrorsText(
      { label: "Too long.", other: "Bad." },
      modal([field("label", { label: "Label" })]),
    );
    expect(text).toBe(":warning: The form was not saved:\n• *Label*: Too long.\n• *other*: Bad.");
  });
});
