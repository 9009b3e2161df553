import { expect, test } from "vitest";
import { groupItems } from "./groups.js";

const items = [
  { key: "j1:0", job_id: "j1", model: "seedream", prompt: "a red shoe" },
  { key: "j2:0", job_id: "j2", model: "nanobanana2", prompt: "" },
  { key: "j1:1", job_id: "j1", model: "seedream", prompt: "a red shoe" },
];

test("groups keep the order in which their first item appears", () => {
  const groups = groupItems(items, "job");
  expect(groups.map((g) => g.title)).toEqual(["j1", "j2"]);
  expect(groups[0].items.map((i) => i.key)).toEqual(["j1:0", "j1:1"]);
});

test("an empty prompt gets a readable title, and none means one group", () => {
  expect(groupItems(items, "prompt").map((g) => g.title)).toEqual(["a red shoe", "(no prompt)"]);
  expect(groupItems(items, "none")).toHaveLength(1);
  expect(groupItems(items, "bogus")[0].items).toHaveLength(3);
});
