export * from "../../../src/sandbox/providers/fake-server.ts";
