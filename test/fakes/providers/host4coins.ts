export * from "../../../src/sandbox/providers/host4coins.ts";
