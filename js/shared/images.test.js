import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { fakeModel } from "../tests/fake_model.js";
import { imageSources } from "./images.js";

const IMAGE = { key: "0", url: "http://127.0.0.1:9/files/job_abc/1.jpg", jobId: "job_abc", index: 0 };
const bytes = (...values) => new DataView(new Uint8Array(values).buffer);

let made;
let revoked;
beforeEach(() => {
  made = [];
  revoked = [];
  vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
    made.push(blob);
    return `blob:${made.length}`;
  });
  vi.spyOn(URL, "revokeObjectURL").mockImplementation((url) => revoked.push(url));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

function attached(tag = "img") {
  const element = document.createElement(tag);
  document.body.append(element);
  return element;
}

const lastAsk = (model) => model.sent[model.sent.length - 1];

describe("a grid draws the saved thumbnail, not the full image", () => {
  test("a thumbnail in the widget state is shown from its bytes", () => {
    const sources = imageSources(fakeModel({ thumbnails: { 0: bytes(0xff, 0xd8) } }));
    const img = attached();
    expect(sources.show(img, IMAGE, "thumbnail")).toBe(true);
    expect(img.getAttribute("src")).toBe("data:image/jpeg;base64,/9g=");
    expect(made).toEqual([]); // a data: URL: no object URL to register per tile (slow for hundreds)
  });

  test("without one it loads the URL, and moves to the thumbnail once it arrives", () => {
    const model = fakeModel({ thumbnails: {} });
    const sources = imageSources(model);
    const img = attached();
    sources.show(img, IMAGE, "thumbnail");
    expect(img.getAttribute("src")).toBe(IMAGE.url);
    model.set("thumbnails", { 0: bytes(1) });
    expect(img.getAttribute("src")).toBe("data:image/jpeg;base64,AQ==");
  });

  test("an unsafe URL with no thumbnail is never loaded", () => {
    const img = attached();
    expect(imageSources(fakeModel()).show(img, { ...IMAGE, url: "javascript:alert(1)" }, "thumbnail")).toBe(false);
    expect(img.hasAttribute("src")).toBe(false);
  });
});

describe("the lightbox and compare show the thumbnail at once, then the full image", () => {
  let loaders;
  beforeEach(() => {
    loaders = [];
    vi.stubGlobal(
      "Image",
      class {
        constructor() {
          this.on = {};
          loaders.push(this);
        }
        addEventListener(type, callback) {
          this.on[type] = callback;
        }
      },
    );
  });

  test("the full image replaces the thumbnail once it has loaded", () => {
    const sources = imageSources(fakeModel({ thumbnails: { 0: bytes(1) } }));
    const img = attached();
    sources.show(img, IMAGE, "full");
    expect(img.getAttribute("src")).toBe("data:image/jpeg;base64,AQ==");
    expect(loaders[0].src).toBe(IMAGE.url);
    loaders[0].on.load();
    expect(img.getAttribute("src")).toBe(IMAGE.url);
  });

  test("a full image the browser cannot load comes from the kernel; with no kernel the thumbnail stays", async () => {
    const model = fakeModel({ thumbnails: { 0: bytes(1), 1: bytes(2) } });
    const sources = imageSources(model);
    const [first, second] = [attached(), attached()];
    sources.show(first, IMAGE, "full");
    sources.show(second, { ...IMAGE, key: "1" }, "full");
    loaders[0].on.error();
    loaders[1].on.error();
    await vi.waitFor(() => expect(model.sent.length).toBe(2));
    expect(model.sent[0]).toEqual({ type: "image", key: "0", size: "full", request: 1 });
    model.receive({ type: "image", request: 1, mime: "image/jpeg" }, [bytes(3)]);
    model.receive({ type: "image", request: 2, error: "no kernel" });
    await vi.waitFor(() => expect(first.getAttribute("src")).toBe("blob:1"));
    expect(second.getAttribute("src")).toBe("data:image/jpeg;base64,Ag=="); // its thumbnail: better than no image
  });
});

describe("an image the browser cannot load comes through the kernel", () => {
  test("on a load error the kernel is asked for those bytes, shown as an object URL", async () => {
    const model = fakeModel();
    const sources = imageSources(model);
    const img = attached();
    sources.show(img, IMAGE, "full");
    img.dispatchEvent(new Event("error"));
    expect(lastAsk(model)).toEqual({ type: "image", key: "0", size: "full", request: 1 });
    model.receive({ type: "image", request: 1, mime: "image/png", filename: "job_abc_0.png" }, [bytes(137, 80)]);
    await vi.waitFor(() => expect(img.getAttribute("src")).toBe("blob:1"));
    expect(made[0].type).toBe("image/png");
  });

  test("bytes of a type a page must not run (HTML, SVG) are refused", async () => {
    const model = fakeModel();
    const sources = imageSources(model);
    const img = attached();
    sources.show(img, IMAGE, "thumbnail");
    img.dispatchEvent(new Event("error"));
    model.receive({ type: "image", request: 1, mime: "text/html" }, [bytes(60)]);
    await vi.waitFor(() => expect(img.dataset.unavailable).toBe(""));
    expect(made).toEqual([]);
  });

  test("closing the view revokes every object URL it made", async () => {
    const model = fakeModel({ thumbnails: { 0: bytes(1) } });
    const sources = imageSources(model);
    sources.show(attached(), IMAGE, "thumbnail");
    const full = attached();
    sources.show(full, { ...IMAGE, key: "1" }, "full");
    full.dispatchEvent(new Event("error"));
    model.receive({ type: "image", request: 1, mime: "image/jpeg" }, [bytes(1)]);
    await vi.waitFor(() => expect(full.getAttribute("src")).toBe("blob:1"));
    sources.close();
    expect(revoked).toEqual(["blob:1"]);
    expect(model.listenerCount()).toBe(0);
  });
});

describe("download", () => {
  function clicks() {
    const saved = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function () {
      saved.push(this.getAttribute("download"));
    });
    return saved;
  }

  test("bytes the browser can fetch are saved under the job.download() name", async () => {
    const saved = clicks();
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue({ ok: true, blob: async () => new Blob(["x"], { type: "image/webp" }) }));
    await expect(imageSources(fakeModel()).save({ ...IMAGE, url: "https://cdn.example/x/1" })).resolves.toBe("job_abc_0.webp");
    expect(saved).toEqual(["job_abc_0.webp"]);
  });

  test("when the host refuses the browser (no CORS, blocked), the kernel sends the bytes and the name", async () => {
    const saved = clicks();
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const model = fakeModel();
    const saving = imageSources(model).save(IMAGE);
    await vi.waitFor(() => expect(lastAsk(model)).toEqual({ type: "image", key: "0", size: "full", request: 1 }));
    model.receive({ type: "image", request: 1, mime: "image/jpeg", filename: "job_abc_0.jpg" }, [bytes(1)]);
    await expect(saving).resolves.toBe("job_abc_0.jpg");
    expect(saved).toEqual(["job_abc_0.jpg"]);
  });

  test("when neither answers, it says so", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const model = fakeModel();
    const saving = imageSources(model).save(IMAGE);
    await vi.waitFor(() => expect(model.sent.length).toBe(1));
    model.receive({ type: "image", request: 1, error: "unreachable" });
    await expect(saving).rejects.toThrow("unreachable");
  });
});
