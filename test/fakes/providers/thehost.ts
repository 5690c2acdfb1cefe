export * from "../../../src/sandbox/providers/thehost.ts";
