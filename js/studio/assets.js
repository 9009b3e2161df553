// The account's uploaded images to choose inputs from: the kernel lists every page of them once
// asked, with their thumbnails; each is a button that adds it as an input.
import { h, plural } from "../shared/dom.js";
import { jpegDataUrl } from "../shared/images.js";

export function assetChooser({ model, tell, returnFocus }) {
  const status = h("p", { class: "pai-studio-assets-status pai-muted", role: "status" });
  const grid = h("ul", { class: "pai-studio-assets-grid", "aria-label": "Uploaded images" });
  const close = h("button", { type: "button", class: "pai-studio-assets-close", text: "Done" });
  const element = h(
    "section",
    { class: "pai-studio-assets", "aria-label": "Choose from uploaded images", hidden: true },
    h("div", { class: "pai-studio-assets-head" }, h("strong", { text: "Uploaded images" }), status, close),
    grid,
  );

  function hide() {
    element.hidden = true;
    returnFocus();
  }
  close.addEventListener("click", hide);
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      hide();
    }
  });

  function show() {
    const state = model.get("assets_status") || "";
    const assets = model.get("assets") || [];
    const chosen = new Set((model.get("inputs") || []).map((item) => item.asset_id));
    status.textContent =
      state === "loading" ? "Listing your uploaded images…" : state === "loaded" ? (assets.length ? plural(assets.length, "image") : "No uploaded images yet.") : state;
    const thumbnails = model.get("thumbnails") || {};
    grid.replaceChildren(
      ...assets.map((asset) => {
        const bytes = thumbnails[asset.asset_id];
        const picked = chosen.has(asset.asset_id);
        const button = h(
          "button",
          {
            type: "button",
            class: "pai-studio-asset",
            "aria-pressed": String(picked),
            "aria-label": `${picked ? "Chosen: " : "Choose "}${asset.name}${asset.width ? ` (${asset.width}×${asset.height})` : ""}`,
            "data-asset-id": asset.asset_id,
          },
          bytes ? h("img", { src: jpegDataUrl(bytes), alt: "" }) : h("span", { class: "pai-studio-input-blank" }),
          h("span", { class: "pai-studio-asset-name", text: asset.name }),
        );
        button.addEventListener("click", () => {
          if (!picked) tell({ type: "choose_asset", asset_id: asset.asset_id });
        });
        return h("li", {}, button);
      }),
    );
  }

  function open() {
    element.hidden = false;
    // listed on each opening (new uploads show), never twice at once
    if (model.get("assets_status") !== "loading") tell({ type: "assets" });
    show();
    close.focus();
  }

  return { element, show, open };
}
