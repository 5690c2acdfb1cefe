export * from "../../../src/sandbox/providers/types.ts";
