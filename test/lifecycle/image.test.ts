import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, posix, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  all,
  copies,
  env,
  execForm,
  healthcheck,
  last,
  parseDockerfile,
  runCommands,
  type Stage,
  stage,
} from "../helpers/dockerfile.ts";
import { cleanEnv, freePort, REPO } from "../helpers/process.ts";

const dockerfile = parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));
const runtime = dockerfile.stages.at(-1) as Stage;
const REGISTER_PRODUCTION_ONLY = join(REPO, "test/helpers/production-only/register.mjs");

/** Exit status and output of `argv` run to completion. */
function exec(argv: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const [cmd = "", ...args] = argv;
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** Every file under `dir` (symbolic links not followed) with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.isSymbolicLink()) {
        const s = statSync(p);
        out.set(relative(dir, p), `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The Dockerfile, read as instructions (test/helpers/dockerfile.ts). What can be run without a
 * container engine is run: the runtime stage's files are laid out as its COPY lines put them, and
 * its CMD, HEALTHCHECK and the admin CLI on the PATH run there with its ENV. (.ci/run also installs
 * the production dependencies alone and starts the build from there.)
 */
describe("the image", () => {
  it("pins Node 24 and builds every stage on that one image", () => {
    expect(dockerfile.globalArgs.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-[\w-]+$/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's variable, not a template
    for (const s of dockerfile.stages) expect(s.base).toBe("${NODE_IMAGE}");
    expect(dockerfile.stages.map((s) => s.name)).toEqual(["build", "deps", "runtime"]);
  });

  it("fails the build on a type error or a Biome finding before it compiles", () => {
    const build = runCommands(stage(dockerfile, "build"));
    const at = (cmd: string) => build.indexOf(cmd);
    expect(at("npm run typecheck")).toBeGreaterThanOrEqual(0);
    expect(at("npm run check")).toBeGreaterThan(at("npm run typecheck"));
    expect(at("npm run build")).toBeGreaterThan(at("npm run check"));
  });

  it("takes its node_modules from a production-only install, and no sources, tests or tsx", () => {
    const deps = stage(dockerfile, "deps");
    const install = runCommands(deps).find((c) => c.startsWith("npm ci"));
    expect(install?.split(/\s+/)).toContain("--omit=dev");
    const modules = copies(runtime).filter((c) => c.dest.replace(/^\.\//, "") === "node_modules");
    expect(modules).toEqual([
      {
        from: "deps",
        sources: [posix.join(last(deps, "WORKDIR")?.args ?? "", "node_modules")],
        dest: "./node_modules",
      },
    ]);
    const sources = copies(runtime).flatMap((c) => (c.from ? [] : c.sources));
    for (const s of sources)
      expect(["src", "test", "bench", ".", "./"]).not.toContain(s.replace(/\/$/, "") || ".");
    expect(
      all(runtime, "RUN")
        .map((r) => r.args)
        .join("\n"),
    ).not.toContain("tsx");
  });

  it("runs as an unprivileged user that owns its data dir, with no anonymous volume", () => {
    const user = last(runtime, "USER")?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // The data dir (embedded database) is the one place that user writes: made and given to it.
    const dataDir = env(runtime).HOSTOPS_DATA_DIR;
    expect(runCommands(runtime)).toContain(`chown ${user}:${user} ${dataDir}`);
    // With Postgres nothing is written: no VOLUME makes Docker create an anonymous one per run.
    expect(dockerfile.stages.flatMap((s) => all(s, "VOLUME"))).toEqual([]);
  });

  describe("the runtime stage's files, its ENV, CMD, HEALTHCHECK and admin CLI", () => {
    let root: string;
    let app: string;
    let data: string;
    let bin: string;
    let imageEnv: NodeJS.ProcessEnv;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), "hostops-image-"));
      app = join(root, last(runtime, "WORKDIR")?.args ?? "/app");
      data = join(root, "data");
      bin = join(root, "usr/local/bin");
      mkdirSync(app, { recursive: true });
      mkdirSync(data);
      mkdirSync(bin, { recursive: true });
      // What each COPY brings, from this checkout: the build stage compiles the whole context
      // (COPY . . in its WORKDIR), as the suite's global setup did here; the deps stage's
      // node_modules is this checkout's, with every dev dependency refused by the loader hook below.
      const build = stage(dockerfile, "build");
      const buildDir = last(build, "WORKDIR")?.args ?? "";
      expect(copies(build).at(-1)).toEqual({ from: undefined, sources: ["."], dest: "." });
      for (const c of copies(runtime))
        for (const source of c.sources) {
          const dest = isAbsolute(c.dest) ? join(root, c.dest) : join(app, c.dest);
          const target =
            c.sources.length > 1 || c.dest.endsWith("/") ? join(dest, posix.basename(source)) : dest;
          if (c.from === "deps") symlinkSync(join(REPO, "node_modules"), target);
          else if (c.from === "build")
            cpSync(join(REPO, posix.relative(buildDir, source)), target, { recursive: true });
          else if (c.from === undefined) cpSync(join(REPO, source), target, { recursive: true });
          else throw new Error(`COPY --from=${c.from}: no such stage here`);
        }
      rmSync(join(app, "dist/.tsbuildinfo"), { force: true });
      // The runtime RUN puts the admin CLI on the PATH: `ln -s <app>/bin/hostops.js /usr/local/bin/hostops`.
      const link = runCommands(runtime).find((c) => c.startsWith("ln -s "));
      const [, , linkTarget = "", linkName = ""] = link?.split(/\s+/) ?? [];
      symlinkSync(join(root, linkTarget), join(root, linkName));
      const [metricsPort, port] = [await freePort(), await freePort()];
      const declared = env(runtime);
      // The ports and the data dir the image sets, moved to free ports and to a temporary dir
      // (the /data volume); the rest as the image sets it (NODE_ENV=production, …).
      expect(Object.keys(declared)).toEqual(
        expect.arrayContaining(["PORT", "METRICS_PORT", "HOSTOPS_DATA_DIR"]),
      );
      imageEnv = cleanEnv({
        ...declared,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        METRICS_HOST: "127.0.0.1",
        HOSTOPS_DATA_DIR: data,
        PATH: [dirname(process.execPath), bin, process.env.PATH].join(delimiter),
        NODE_OPTIONS: `--import=${REGISTER_PRODUCTION_ONLY}`,
      });
    });
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it("CMD serves (here the console on stdin, as no chat platform is set), passes HEALTHCHECK while up and fails it after, writes nothing outside its data dir, and needs no dev dependency", async () => {
      const cmd = execForm(last(runtime, "CMD")?.args ?? "");
      expect(cmd[0]).toBe("node");
      const probe = healthcheck(runtime);
      expect(probe?.cmd[0]).toBe("node");
      const before = snapshot(app);

      const [command = "", ...args] = cmd;
      const child: ChildProcess = spawn(command, args, {
        cwd: app,
        env: imageEnv,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stderr?.on("data", (c: Buffer) => {
        out += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      try {
        child.stdin?.write("help\n");
        await vi.waitFor(
          async () => {
            expect((await exec(probe?.cmd ?? [], { cwd: app, env: imageEnv })).code).toBe(0);
          },
          { timeout: 90_000, interval: 250 },
        );
        child.stdin?.end();
        expect(await exited, out).toBe(0);
      } finally {
        child.kill();
      }
      expect(out).toContain("hostops commands");
      expect(out).not.toContain("is not a production dependency");
      // Down: the probe fails.
      expect((await exec(probe?.cmd ?? [], { cwd: app, env: imageEnv })).code).toBe(1);
      // --read-only: the app's files are as they were.
      expect(snapshot(app)).toEqual(before);
    }, 120_000);

    it("puts the admin CLI on the PATH, running from the image's files", async () => {
      const r = await exec(["hostops", "accounts", "list"], { cwd: app, env: imageEnv });
      expect(r.out).not.toContain("is not a production dependency");
      expect(r).toMatchObject({ code: 0 });
      expect(r.out).toContain("No accounts yet");
    }, 60_000);
  });
});
