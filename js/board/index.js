// The batch board: one live widget for a whole batch. A header with its progress and the one
// budget line, a grid of prompts x models (swappable; inputs as tabs) whose cells fill live,
// picks by click or keyboard that are the jobs' own selection in Python, compare and download.
import { boardLayout, swapped } from "../lib/board_layout.js";
import { batchImages, isPicked, pickedImages, pickedKeys, withPick } from "../lib/board_picks.js";
import { showCompare } from "../gallery/compare.js";
import { h } from "../shared/dom.js";
import { imageSources } from "../shared/images.js";
import { keepKeysFromNotebook } from "../shared/keys.js";
import { openLightbox } from "../shared/lightbox.js";
import { kernelRequests, saver, sayShown } from "../shared/model.js";
import { sizeCaption } from "../shared/thumbs.js";
import { boardGrid, imageOfCell } from "./grid.js";
import { boardHeader } from "./header.js";
import { forgetDrawn, viewDrawn, viewLeft } from "./memory.js";
import "../shared/base.css";
import "./style.css";

const ETA_TICK_MS = 1000;

function render({ model, el }) {
  sayShown(model);
  const save = saver(model);
  const sources = imageSources(model);
  const kernel = kernelRequests(model);
  let view = { rows: "prompt", columns: "model", tab: 0 };
  // picks made here that Python has not echoed yet (or never will: no kernel)
  const ownPicks = new Map(); // job id -> {from: Python's picks then (JSON), picks}
  let cells = [];
  let lightbox = null;
  let lightboxWalk = [];
  let comparing = false;
  let ticker = null;

  const header = boardHeader({ onSwap: swap, onCompare: toggleCompare, onDownload: download });
  const tabs = h("div", { class: "pai-board-tabs", role: "tablist" });
  const compare = h("div", { class: "pai-compare pai-board-picks", role: "region", "aria-label": "Compare picks", hidden: true });
  const grid = boardGrid({ sources, describeCell, onPick: pick, onOpen: open, onEscape: handBackFocus });
  const root = keepKeysFromNotebook(h("div", { class: "pai-root pai-board" }, header.element, tabs, compare, grid.element));
  el.append(root);

  // whether focus is in the board: read as the view goes, when the page may have moved it already
  let focusIn = false;
  root.addEventListener("focusin", () => { focusIn = true; });
  root.addEventListener("focusout", () => {
    // checked after the move: a view being removed keeps what it had (its redraw restores it)
    queueMicrotask(() => { if (root.isConnected) focusIn = root.contains(document.activeElement); });
  });

  const axes = () => model.get("axes") || {};
  function axisLabel(axis, cell) {
    const at = { input: 0, prompt: 1, model: 2 }[axis];
    return (axes()[axis] || [])[cell?.at?.[at]] ?? "";
  }
  function describeCell(cell) {
    return [axisLabel("prompt", cell), axisLabel("model", cell), (axes().input || []).length > 1 ? axisLabel("input", cell) : ""]
      .filter(Boolean).join(" · ");
  }

  function readCells() {
    const sent = (model.get("cells") || []).filter((cell) => cell && typeof cell === "object");
    return sent.map((cell) => {
      const own = ownPicks.get(cell.job_id);
      if (own === undefined) return cell;
      const python = JSON.stringify(cell.picks || []);
      // Python has it now, or has moved on from what this page picked from (another view picked)
      if (python === JSON.stringify(own.picks) || python !== own.from) {
        ownPicks.delete(cell.job_id);
        return cell;
      }
      return { ...cell, picks: own.picks };
    });
  }

  function showAll() {
    cells = readCells();
    const layout = boardLayout(axes(), cells, view);
    view.tab = layout.tab;
    showTabs(layout);
    grid.show(layout, cells, `Batch ${model.get("name") || ""}: ${layout.rowAxis}s by ${layout.columnAxis}s`.trim());
    showHeader();
    if (comparing) showPicks();
  }

  function showHeader() {
    const ended = header.show({
      name: model.get("name"),
      cells,
      rate: model.get("rate"),
      budget: model.get("budget"),
      picks: pickedImages(cells).length,
      nowMs: Date.now(),
    });
    // the ETA counts down between updates while anything still runs
    if (ended && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    } else if (!ended && ticker === null) {
      ticker = setInterval(showHeader, ETA_TICK_MS);
    }
  }

  function showTabs(layout) {
    tabs.hidden = !layout.tabs.length;
    tabs.replaceChildren(...layout.tabs.map((label, index) => {
      const tab = h("button", { class: "pai-board-tab", type: "button", role: "tab", "aria-selected": String(index === layout.tab), tabindex: index === layout.tab ? "0" : "-1", text: label || `input ${index + 1}` });
      tab.addEventListener("click", () => chooseTab(index));
      return tab;
    }));
  }

  function chooseTab(index) {
    view = { ...view, tab: index };
    showAll();
    tabs.children[view.tab]?.focus();
  }
  tabs.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    event.stopPropagation();
    chooseTab(Math.max(0, Math.min(tabs.children.length - 1, view.tab + step)));
  });

  function swap() {
    view = { ...view, ...swapped(view) };
    showAll();
  }

  function pick(index, image, picked = !(cells[index]?.picks || []).includes(image)) {
    const cell = cells[index];
    if (!cell?.job_id) return;
    const from = ownPicks.get(cell.job_id)?.from ?? JSON.stringify((model.get("cells") || [])[index]?.picks || []);
    ownPicks.set(cell.job_id, { from, picks: withPick(cell.picks, image, picked) });
    showAll();
    // A message reaches Python at once (ipywidgets holds a trait change back until the kernel has
    // answered the last one); the whole selection as a trait too, so marimo re-runs what reads it.
    try {
      model.send({ type: "pick", job_id: cell.job_id, index: image, picked });
    } catch {
      // no kernel (a reopened notebook): the pick stays on this page
    }
    save("picked_keys", pickedKeys(cells));
    lightbox?.showPick?.();
  }

  function slideOf({ cell: index, index: n }) {
    const cell = cells[index];
    const image = imageOfCell(cell, n);
    return {
      image,
      url: image.url,
      alt: `Image ${n + 1} of ${describeCell(cell)}`,
      title: describeCell(cell),
      details: [
        ["prompt", "Prompt", axisLabel("prompt", cell) || "—"],
        ["model", "Model", axisLabel("model", cell) || "—"],
        ["input", "Input", axisLabel("input", cell) || "—"],
        ["job", "Job", cell.job_id ?? "—"],
        ["size", "Size", sizeCaption(image) || "—"],
      ],
      cell: index,
      index: n,
    };
  }

  function open(index, n, opener) {
    lightbox?.close();
    const walk = batchImages(cells);
    const at = walk.findIndex((entry) => entry.cell === index && entry.index === n);
    if (at < 0) return;
    const slides = walk.map(slideOf);
    const picks = {
      isPicked: (slide) => isPicked(cells[slide.cell], slide.index),
      setPicked: (slide, checked) => pick(slide.cell, slide.index, checked),
    };
    lightbox = openLightbox({ host: root, sources, slides, index: at, opener, picks, onClose: closed });
    lightboxWalk = walk;
    // Space picks the image the lightbox shows (its counter says which of the batch's it is),
    // unless a control of the lightbox has focus: Space is that control's
    lightbox.element.addEventListener("keydown", (event) => {
      if (event.key !== " " || event.target.closest?.("button, input, a") || !slides[shownIndex()]) return;
      event.preventDefault();
      event.stopPropagation();
      const entry = lightboxWalk[shownIndex()];
      pick(entry.cell, entry.index);
    });
  }

  // which of the batch's images the lightbox shows (its counter says), 0-based
  const shownIndex = () => Number(/^(\d+)/.exec(lightbox?.element.querySelector(".pai-lightbox-counter")?.textContent || "")?.[1] || 0) - 1;

  function closed() {
    lightbox = null;
    // its opener was drawn again meanwhile (a pick changed its cell): focus goes back to the grid's stop
    if (!root.contains(document.activeElement)) grid.focus();
  }

  function showPicks() {
    const items = pickedImages(cells).map(({ cell: index, index: n }) => {
      const cell = cells[index];
      return { ...imageOfCell(cell, n), job_id: cell.job_id, model: axisLabel("model", cell), prompt: axisLabel("prompt", cell) };
    });
    if (!items.length) comparing = false;
    compare.hidden = !comparing;
    header.showCompare(comparing);
    if (comparing) showCompare(compare, items, sources, toggleCompare);
    else compare.replaceChildren();
  }

  function toggleCompare() {
    comparing = !comparing;
    showPicks();
    if (!comparing) header.focusCompare();
  }

  async function download() {
    header.say("Downloading…");
    try {
      const { content, buffers } = await kernel.ask("download_picks");
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: content.mime || "application/zip" }));
      const link = h("a", { href: url, download: content.filename || "picks.zip", hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      header.say(`Saved ${content.filename}`);
    } catch {
      // no kernel (a reopened notebook): each image from its URL, named as job.download() names it
      try {
        const names = [];
        for (const { cell, index } of pickedImages(cells)) names.push(await sources.save(imageOfCell(cells[cell], index)));
        header.say(`Saved ${names.join(", ")}`);
      } catch {
        header.say("Could not download: neither the image hosts nor the kernel answered.");
      }
    }
  }

  function handBackFocus() {
    // JupyterLab's cell (or the notebook) takes focus: its own keys work again from there
    const cell = root.closest(".jp-Cell, .jp-Notebook");
    if (cell) {
      if (!cell.hasAttribute("tabindex")) cell.setAttribute("tabindex", "-1");
      cell.focus();
    } else {
      document.activeElement?.blur?.();
    }
  }

  model.on("change:cells", showAll);
  model.on("change:axes", showAll);
  model.on("change:name", showAll);
  model.on("change:budget", showHeader);
  model.on("change:rate", showHeader);
  showAll();

  // The user's place, kept when this view goes and taken up by a redraw of the same output
  function place() {
    const shown = lightbox ? lightboxWalk[shownIndex()] : null;
    return { view: { ...view }, comparing, grid: grid.place(), focusIn, lightbox: shown ? { cell: shown.cell, index: shown.index } : null };
  }
  function restore(kept) {
    view = { ...kept.view };
    comparing = kept.comparing;
    showAll();
    // focus and the lightbox once the page has put this view in (JupyterLab does after render)
    let frames = 0;
    const whenShown = () => {
      if (root.isConnected) placeUser(kept);
      else if (frames++ < 120) requestAnimationFrame(whenShown);
    };
    whenShown();
  }
  function placeUser(kept) {
    grid.restore(kept.grid);
    const elsewhere = document.activeElement; // where the user is now, if not in the board
    if (kept.lightbox && cells[kept.lightbox.cell]) open(kept.lightbox.cell, kept.lightbox.index, grid.focused());
    // focus comes back only where it was: a lightbox left open while the user ran another cell
    // reopens without taking the focus from that cell
    if (!kept.focusIn) elsewhere?.focus?.({ preventScroll: true });
    else if (!lightbox) grid.focus();
  }
  const thisView = { root, place };
  const kept = viewDrawn(model, restore, thisView);
  if (kept) restore(kept);

  return () => {
    forgetDrawn(model, restore, thisView);
    viewLeft(model, place());
    // closing gives focus back to its opener: not if the user is elsewhere (in the cell they ran)
    const elsewhere = root.contains(document.activeElement) ? null : document.activeElement;
    lightbox?.close();
    elsewhere?.focus?.({ preventScroll: true });
    grid.close();
    kernel.close();
    sources.close();
    if (ticker !== null) clearInterval(ticker);
  };
}

export default { render };
