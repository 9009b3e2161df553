// The studio's input images: dropped, pasted or picked files, checked here at once (size, type by
// their first bytes) and sent to the kernel, which checks them whole and uploads them. Each file
// shows its state: sending, ready, or refused and why. A file refused here never leaves the page.
import { refusedInBrowser } from "../lib/studio_form.js";
import { h } from "../shared/dom.js";
import { jpegDataUrl } from "../shared/images.js";

const HEAD_BYTES = 16; // enough for every signature the rules hold
const STATE_TEXT = { sending: "sending…", ready: "ready", refused: "refused" };
let nextKey = 0;

/** The files of a drop or paste: DataTransfer.files, else its items that are files. */
export function filesOf(transfer) {
  if (!transfer) return [];
  const files = [...(transfer.files || [])];
  if (files.length) return files;
  return [...(transfer.items || [])].filter((item) => item.kind === "file").map((item) => item.getAsFile()).filter(Boolean);
}

async function headOf(file) {
  return new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
}

/** The input area: `element`, `show()` after the kernel's inputs or thumbnails change. */
export function inputArea({ model, tell, openAssets }) {
  const refusedHere = []; // {key, name, state: "refused", reason}: never sent
  const picker = h("input", { type: "file", accept: "image/*", multiple: true, hidden: true, "aria-hidden": "true", tabindex: "-1" });
  const pickButton = h("button", { type: "button", class: "pai-studio-pick", text: "Pick files…" });
  const assetsButton = h("button", { type: "button", class: "pai-studio-assets-open", text: "Choose uploaded…" });
  const zone = h(
    "div",
    {
      class: "pai-studio-drop",
      tabindex: "0",
      role: "group",
      "aria-label": "Input images: drop files here, or focus here and paste an image",
    },
    h("span", { class: "pai-muted", text: "Drop images here, paste one (focus here, then Ctrl+V), or " }),
    pickButton,
    " ",
    assetsButton,
  );
  const list = h("ul", { class: "pai-studio-inputs", "aria-label": "Input images", "aria-live": "polite" });

  async function add(files) {
    const rules = model.get("rules") || {};
    for (const file of files) {
      const key = `b${Date.now().toString(36)}${(nextKey += 1)}`;
      const reason = refusedInBrowser({ size: file.size, head: await headOf(file) }, rules);
      if (reason) {
        refusedHere.push({ key, name: file.name || "pasted image", state: "refused", reason });
        show();
        continue;
      }
      const bytes = await file.arrayBuffer();
      if (!tell({ type: "upload", key, name: file.name || "pasted image" }, [bytes])) {
        // no kernel (a notebook reopened without one): say so on the file
        refusedHere.push({ key, name: file.name || "pasted image", state: "refused", reason: "was not sent: the notebook has no kernel (run the studio's cell again)" });
        show();
      }
    }
  }

  /** Files dropped or pasted anywhere on `root` (the whole studio): a file dropped beside the
   * zone would otherwise be opened by the browser, in place of JupyterLab. */
  function listen(root) {
    const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
    root.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      zone.classList.add("pai-studio-drop-over");
    });
    root.addEventListener("dragleave", (event) => {
      if (!root.contains(event.relatedTarget)) zone.classList.remove("pai-studio-drop-over");
    });
    root.addEventListener("drop", (event) => {
      const files = filesOf(event.dataTransfer);
      zone.classList.remove("pai-studio-drop-over");
      if (!files.length) return;
      event.preventDefault();
      add(files);
    });
    root.addEventListener("paste", (event) => {
      const files = filesOf(event.clipboardData);
      if (!files.length) return; // text pastes into the prompts as usual
      event.preventDefault();
      add(files);
    });
  }
  pickButton.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    add([...picker.files]);
    picker.value = "";
  });
  assetsButton.addEventListener("click", openAssets);

  function remove(item) {
    const here = refusedHere.findIndex((entry) => entry.key === item.key);
    if (here >= 0) {
      refusedHere.splice(here, 1);
      show();
    } else {
      tell({ type: "remove", key: item.key });
    }
    zone.focus();
  }

  function row(item) {
    const thumbnails = model.get("thumbnails") || {};
    const bytes = thumbnails[item.key] || (item.asset_id && thumbnails[item.asset_id]);
    const state = STATE_TEXT[item.state] || item.state;
    return h(
      "li",
      { class: "pai-studio-input", "data-state": item.state, "data-name": item.name },
      bytes ? h("img", { src: jpegDataUrl(bytes), alt: "" }) : h("span", { class: "pai-studio-input-blank", "aria-hidden": "true" }),
      h("span", { class: "pai-studio-input-name", text: item.name }),
      h("span", { class: "pai-chip pai-studio-input-state", text: state }),
      item.state === "refused" ? h("span", { class: "pai-studio-input-reason", role: "alert", text: item.reason }) : null,
      h("button", { type: "button", class: "pai-studio-input-remove", "aria-label": `Remove ${item.name}`, text: "×" }),
    );
  }

  function show() {
    const items = [...(model.get("inputs") || []), ...refusedHere];
    list.replaceChildren(
      ...items.map((item) => {
        const element = row(item);
        element.querySelector(".pai-studio-input-remove").addEventListener("click", () => remove(item));
        return element;
      }),
    );
  }

  show();
  return { element: h("section", { class: "pai-studio-input-area", "aria-label": "Input images" }, zone, picker, list), show, listen };
}
