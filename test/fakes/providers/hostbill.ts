export * from "../../../src/sandbox/providers/hostbill.ts";
