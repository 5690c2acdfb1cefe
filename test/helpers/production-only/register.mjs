// `node --import <this file>` (or NODE_OPTIONS=--import=…): from then on, a bare import made by the
// app's own code (anything outside node_modules) must name a production dependency of the
// package.json in the working directory, or it fails. A run under it shows that the code it loads
// works with `npm ci --omit=dev`, as the image installs it. Plain JavaScript: node loads it as is.
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { join } from "node:path";

const pkg = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8"));
register("./hooks.mjs", import.meta.url, { data: { dependencies: Object.keys(pkg.dependencies ?? {}) } });
