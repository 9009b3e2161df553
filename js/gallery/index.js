// Gallery: the images of many jobs, grouped, sized, selectable, compared side by side.
import { h } from "../shared/dom.js";
import { imageSources } from "../shared/images.js";
import { keepKeysFromNotebook } from "../shared/keys.js";
import { saver, sayShown } from "../shared/model.js";
import { canCompare, comparePanel } from "./compare.js";
import { galleryGrid } from "./grid.js";
import { galleryToolbar } from "./toolbar.js";
import "../shared/base.css";
import "./style.css";

function render({ model, el }) {
  const save = saver(model);
  sayShown(model);
  let items = [];
  let selected = new Set(model.get("selected_keys") || []);
  const selectedItems = () => items.filter((item) => selected.has(item.key));
  const sources = imageSources(model);

  const root = keepKeysFromNotebook(h("div", { class: "pai-root pai-explorer" }));
  const toolbar = galleryToolbar({ model, save, resize: (px) => root.style.setProperty("--pai-thumb-size", `${px}px`) });
  const compare = comparePanel({
    sources,
    onClose: () => save("compare", false),
    returnFocus: () => toolbar.focusCompare(),
    onToggle: (key, checked) => toggle(key, checked),
  });
  // why images the user expects are missing (Python says): text, never markup
  const notice = h("p", { class: "pai-gallery-notice pai-muted", role: "note" });
  const grid = galleryGrid({ host: root, sources, onToggle: toggle });
  root.append(toolbar.element, notice, compare.element, grid.element);
  el.append(root);
  // Escape anywhere in the gallery closes an open Compare (an open lightbox closes first); the
  // next Escape hands focus back to the cell
  root.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || !model.get("compare") || event.target.closest?.(".pai-lightbox")) return;
      event.preventDefault();
      event.stopPropagation();
      save("compare", false);
    },
    true,
  );

  function showCompare() {
    const chosen = selectedItems();
    compare.show(chosen, Boolean(model.get("compare")) && canCompare(chosen.length));
  }

  function showSelection() {
    toolbar.showSelection(selectedItems().length);
    showCompare();
  }

  function toggle(key, checked) {
    if (checked === selected.has(key)) return;
    if (checked) selected.add(key);
    else selected.delete(key);
    save("selected_keys", [...selected]);
    grid.tick(selected); // the tile, the lightbox and the compare show the same pick
    // a compare that no longer has 2-4 images closes rather than showing something else
    if (model.get("compare") && !canCompare(selectedItems().length)) save("compare", false);
    showSelection();
  }

  function showItems() {
    items = (model.get("items") || []).filter((item) => item && typeof item === "object");
    const message = model.get("notice") || "";
    notice.textContent = message;
    notice.hidden = !message;
    grid.show(items, model.get("group_by"), selected, message ? "" : "No images yet.");
    toolbar.showGrouping();
    showSelection();
  }

  model.on("change:items", showItems);
  model.on("change:group_by", showItems);
  model.on("change:notice", showItems);
  model.on("change:thumb_size", toolbar.showThumbSize);
  model.on("change:compare", showCompare);
  model.on("change:selected_keys", () => {
    selected = new Set(model.get("selected_keys") || []);
    grid.tick(selected);
    showSelection();
  });
  toolbar.showThumbSize();
  showItems();
  return () => {
    grid.close();
    sources.close();
  };
}

export default { render };
