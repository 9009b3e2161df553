// `make mutation` (Stryker): only js/lib's own tests, so each mutant runs in seconds, not the widgets' suite
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { environment: "node", include: ["js/lib/**/*.test.js"] },
});
