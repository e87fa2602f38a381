import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core machines: keep worker count modest so heavy DSP suites do not starve each other.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
