export * from "../../../src/sandbox/providers/hostkey.ts";
