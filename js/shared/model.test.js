import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { fakeModel } from "../tests/fake_model.js";
import { kernelRequests, saver, sayShown } from "./model.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("saving a trait", () => {
  test("sets it and sends it to Python", () => {
    const model = fakeModel({ group_by: "none" });
    saver(model)("group_by", "job");
    expect(model.get("group_by")).toBe("job");
    expect(model.saves).toBe(1);
  });

  test("with no kernel to send it to (no comm), the view keeps the change and nothing throws", () => {
    const model = fakeModel({ selected: [] });
    model.save_changes = () => {
      throw "Syncing error: no comm channel defined";
    };
    expect(() => saver(model)("selected", ["a"])).not.toThrow();
    expect(model.get("selected")).toEqual(["a"]);
  });
});

describe("a drawn widget", () => {
  test("tells Python a browser draws it, and a dead kernel does not break the view", () => {
    const model = fakeModel();
    sayShown(model);
    expect(model.sent).toEqual([{ type: "shown" }]);
    model.send = () => {
      throw new Error("no comm");
    };
    expect(() => sayShown(model)).not.toThrow();
  });
});

describe("asking the kernel", () => {
  test("each answer goes to its own question, with its bytes", async () => {
    const model = fakeModel();
    const kernel = kernelRequests(model);
    const first = kernel.ask("image", { key: "a" });
    const second = kernel.ask("image", { key: "b" });
    expect(model.sent).toEqual([
      { type: "image", key: "a", request: 1 },
      { type: "image", key: "b", request: 2 },
    ]);
    const bytes = new DataView(new Uint8Array([1, 2, 3]).buffer);
    model.receive({ type: "image", request: 2, mime: "image/png" }, [bytes]);
    model.receive({ type: "image", request: 1, error: "too large" });
    await expect(second).resolves.toEqual({ content: { type: "image", request: 2, mime: "image/png" }, buffers: [bytes] });
    await expect(first).rejects.toThrow("too large");
  });

  test("no kernel to answer (a reopened notebook): the question fails after a while", async () => {
    const kernel = kernelRequests(fakeModel());
    const asked = kernel.ask("image", { key: "a" });
    vi.advanceTimersByTime(60_000);
    await expect(asked).rejects.toThrow("did not answer");
  });

  test("no kernel at all (the widget manager says so): the question fails at once, nothing sent", async () => {
    const model = fakeModel();
    model.widget_manager = { kernel: null };
    await expect(kernelRequests(model).ask("image", { key: "a" })).rejects.toThrow("no kernel");
    expect(model.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    model.widget_manager = { kernel: { id: "k" } };
    kernelRequests(model).ask("image", { key: "a" });
    expect(model.sent).toHaveLength(1);
  });

  test("closing the view fails what is still asked and stops listening", async () => {
    const model = fakeModel();
    const kernel = kernelRequests(model);
    const asked = kernel.ask("image", { key: "a" });
    kernel.close();
    await expect(asked).rejects.toThrow("closed");
    expect(model.listenerCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
