import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";
import { STATUS_FILTERS, STATUSES } from "./statuses.js";

// vitest runs from the repository root (where vitest.config.mjs is)
const contract = readFileSync(resolve("productai_notebook/contract.py"), "utf8");

test("the statuses match the Python contract", () => {
  const constants = Object.fromEntries([...contract.matchAll(/^([A-Z]+): Final = "(\w+)"$/gm)].map((m) => [m[1], m[2]]));
  const names = contract.match(/^STATUSES: Final = \(([^)]*)\)/m)[1].split(",").map((s) => s.trim()).filter(Boolean);
  expect(names.map((name) => constants[name])).toEqual(STATUSES);
});

test("the status filter offers what the kernel accepts: all, then each status", () => {
  expect(contract).toMatch(/^STATUS_FILTERS: Final = \("all", \*STATUSES\)$/m);
  expect(STATUS_FILTERS).toEqual(["all", ...STATUSES]);
});
