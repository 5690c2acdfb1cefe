import { describe, expect, it } from "vitest";
import { registerSecret } from "../../observability/secrets.ts";
import { htmlToText, safeText, sanitizeProviderText, sanitizeRaw } from "./redact.ts";

const PW = "Xk9mP3qR7";

describe("sanitizeProviderText", () => {
  it.each([
    // Time4VPS task results (test/fixtures/real/time4vps): the password in an onclick.
    [`Password: \t<a onclick='this.innerHTML = "${PW}"'>Reveal</a>`],
    [`Password: \t<a onclick='...this.innerHTML = "${PW}"'>Click...</a>`],
    [`Password: <a href="#" onclick="this.innerHTML='${PW}';return false">Click here to show password</a>`],
    // The same answer cut off inside the tag, JSON-escaped quotes, entity-encoded quotes.
    [`Password: \t<a onclick='this.innerHTML = "${PW}"`],
    [`Password: \t<a onclick='this.innerHTML = \\"${PW}\\"'>Click`],
    [`Password: <a onclick="this.innerHTML = &quot;${PW}&quot;">Show</a>`],
    // Plain text, as the legacy API and other clients show it.
    [`IP:        12.23.34.45\nPassword:  ${PW}`],
    [`New password: ${PW}`],
    [`VM recreated successfully. Root password is ${PW}.`],
    [`root password is: ${PW}`],
    [`{"password":"${PW}"}`],
    [`pwd=${PW}, done`],
    // Markup that splits the label from the value.
    [`<b>Password:</b> <code>${PW}</code>`],
    [`<table><tr><td>Password</td><td>${PW}</td></tr></table>`],
    [`<span>Root password</span> <span>${PW}</span>`],
    [`<script>var p = "${PW}";</script>Done`],
    // Other languages of these providers' answers.
    [`Slaptažodis: ${PW}`],
    [`Новый пароль: ${PW}`],
    // Credentials in a URL.
    [`Console: https://root:${PW}@vnc.example.com:6080/`],
  ])("removes the password from %j", (text) => {
    const out = sanitizeProviderText(text);
    expect(out).not.toContain(PW);
    expect(out).not.toMatch(/<a\b|onclick|innerHTML|<script/i);
  });

  it("keeps ordinary text readable", () => {
    expect(sanitizeProviderText("VM rebooted successfully")).toBe("VM rebooted successfully");
    expect(sanitizeProviderText("Ping: 12 ms, shopping.example.com is up")).toBe(
      "Ping: 12 ms, shopping.example.com is up",
    );
    expect(sanitizeProviderText("password changed")).toBe("password changed");
    expect(sanitizeProviderText("New password: x1y2z3")).toBe("New password: [redacted]");
  });

  it("scrubs registered secrets too", () => {
    registerSecret("registered-Secret-4471");
    expect(sanitizeProviderText("echo registered-Secret-4471")).toBe("echo [redacted]");
  });
});

describe("htmlToText", () => {
  it("drops tags with attributes that hold > inside quotes", () => {
    expect(htmlToText(`a <a title="x > y" onclick='z'>link</a> b`).replace(/\s+/g, " ")).toBe("a link b");
  });
});

describe("safeText", () => {
  it("leaves a normal label alone and sanitizes one that carries a secret", () => {
    expect(safeText("vps1.example.com")).toBe("vps1.example.com");
    // The value runs to the next space: a ")" that may belong to the password goes with it.
    expect(safeText(`web (root password: ${PW})`)).toBe("web (root password: [redacted]");
  });
});

describe("sanitizeRaw", () => {
  it("drops secret keys, sanitizes suspicious strings and lets a caller hide a field", () => {
    const raw = {
      id: 1,
      password: PW,
      epp_code: PW,
      authcode: PW,
      note: `Password: <a onclick="this.innerHTML='${PW}'">x</a>`,
      last_tasks: [
        { name: "server_reset_password", results: `anything ${PW}` },
        { name: "server_reboot", results: "VM rebooted" },
      ],
      plain: "nothing here",
    };
    const out = sanitizeRaw(raw, (key, parent) =>
      key === "results" && parent.name !== "server_reboot" ? "[hidden]" : undefined,
    );
    expect(JSON.stringify(out)).not.toContain(PW);
    expect(out).toMatchObject({
      id: 1,
      plain: "nothing here",
      last_tasks: [{ results: "[hidden]" }, { results: "VM rebooted" }],
    });
  });
});
