import { defineConfig } from "vitest/config";

// Unit tests for the client-side logic (list model, counts, outbox, markdown, navigation).
// Plain Node: the few browser globals the modules touch come from src/test/setup.ts.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    setupFiles: ["src/test/setup.ts"],
  },
});
