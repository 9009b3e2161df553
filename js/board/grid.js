// The board's grid: the batch's jobs as an ARIA grid (rows x columns of the layout), one tab stop
// with roving focus, rows windowed so a thousand jobs draw like ten. A job is one stop while it
// runs (its status and progress, or its error), then one stop per image.
import { isPicked } from "../lib/board_picks.js";
import { phaseOf } from "../lib/board_header.js";
import { clampStop, moveFocus } from "../lib/roving_focus.js";
import { scrollToShow, scrollToShowColumn, visibleColumns, visibleRange } from "../lib/windowing.js";
import { h } from "../shared/dom.js";

export const ROW_HEIGHT = 136; // px, as style.css draws a row: a thumbnail, its status line
const IMAGE_WIDTH = 104; // a thumbnail and its gap
const LABEL_WIDTH = 160;
const HEADER_HEIGHT = 34;
const VIEWPORT_FALLBACK = 600; // a page that has not laid the grid out yet (and jsdom)
const VIEWPORT_WIDTH_FALLBACK = 1200;
const OVERSCAN = 4;

function imagesOf(cell) {
  return Array.isArray(cell?.images) ? cell.images : [];
}

/** How many stops a job has: one per image once it has them, else one. */
export function stopsOf(cell) {
  return cell ? Math.max(1, imagesOf(cell).length) : 0;
}

/** The image as the shared sources name it (the key is the one Python keeps its thumbnail by). */
export function imageOfCell(cell, index) {
  const image = imagesOf(cell)[index] || {};
  return { ...image, key: `${cell.job_id}:${index}`, jobId: cell.job_id, index };
}

function statusText(cell) {
  const phase = phaseOf(cell);
  if (phase === "failed") return cell.error || "failed";
  if (phase === "completed") return imagesOf(cell).length ? "" : "completed with no images";
  if (phase === "running") return `running · ${Math.round(Number(cell.progress) || 0)}%`;
  if (cell.stage === "sending") return "sending…";
  return cell.job_id ? "queued on the server" : "waiting to be sent";
}

/**
 * {element, show(layout, cells), focusFirst(), close()}. `onPick(cell, index)` toggles a pick,
 * `onOpen(cell, index, opener)` opens the lightbox, `onEscape()` hands focus back to the notebook.
 */
export function boardGrid({ sources, describeCell, onPick, onOpen, onEscape }) {
  const head = h("div", { class: "pai-board-row pai-board-head", role: "row", "aria-rowindex": "1" });
  const before = h("div", { class: "pai-board-spacer", role: "none" });
  const after = h("div", { class: "pai-board-spacer", role: "none" });
  const body = h("div", { class: "pai-board-body", role: "rowgroup" });
  const grid = h("div", { class: "pai-board-grid", role: "grid" }, head, before, body, after);
  const element = h("div", { class: "pai-board-scroll" }, grid);

  let layout = { rows: [], rowLabels: [], columnLabels: [] };
  let cells = [];
  let position = null;
  let shownRange = null;
  let shownColumns = { start: 0, end: 0 }; // the columns drawn: a batch of many models draws those in view
  let reshaped = true; // the rows drawn no longer match the layout (new axes, tab, or labels)
  const views = new Map(); // cell index -> {signature, element, stops}
  let frame = null;

  const shape = () => ({
    rows: layout.rows.length,
    columns: layout.columnLabels.length,
    units: (row, column) => stopsOf(cells[layout.rows[row]?.[column]]),
  });

  function cellView(index) {
    const cell = cells[index];
    const signature = JSON.stringify([cell.stage, cell.status, cell.progress, cell.error, cell.images, cell.picks, cell.job_id]);
    const known = views.get(index);
    if (known?.signature === signature) return known;
    const label = describeCell(cell);
    const phase = phaseOf(cell);
    const images = imagesOf(cell);
    const stops = images.length
      ? images.map((_, n) => imageStop(cell, index, n, label))
      : [h("div", { class: "pai-board-stop pai-board-state", role: "gridcell", tabindex: "-1", "aria-label": `${label}: ${statusText(cell)}` },
          h("span", { class: "pai-board-state-text", text: statusText(cell) }),
          phase === "running" ? h("progress", { max: "100", value: String(Number(cell.progress) || 0) }) : null)];
    const note = images.length ? h("div", { class: "pai-board-note pai-muted", text: `${images.length} image${images.length === 1 ? "" : "s"}` }) : null;
    const view = {
      signature,
      stops,
      element: h("div", { class: "pai-board-cell", role: "none", "data-cell": String(index), "data-phase": phase },
        h("div", { class: "pai-board-stops", role: "none" }, ...stops), note),
    };
    views.set(index, view);
    return view;
  }

  function imageStop(cell, index, n, label) {
    const picked = isPicked(cell, n);
    const img = h("img", { alt: "", loading: "lazy", decoding: "async" });
    const shown = sources.show(img, imageOfCell(cell, n), "thumbnail");
    const mark = h("button", { class: "pai-board-pick", type: "button", tabindex: "-1", "aria-hidden": "true", text: picked ? "✓" : "" });
    mark.addEventListener("click", (event) => {
      event.stopPropagation();
      onPick(index, n);
    });
    const stop = h("div", {
      class: "pai-board-stop pai-board-image",
      role: "gridcell",
      tabindex: "-1",
      "aria-selected": picked ? "true" : "false",
      "aria-label": `Image ${n + 1} of ${label}${picked ? ", picked" : ""}`,
      "data-image": String(n),
    }, shown ? img : h("span", { class: "pai-thumb-blocked", text: "Image unavailable" }), mark);
    stop.addEventListener("click", () => onOpen(index, n, stop));
    return stop;
  }

  let shownWidths = null;
  // a column is as wide as its jobs' images side by side: every row's cells line up under its header
  function columnWidths() {
    return layout.columnLabels.map((_, column) => {
      let most = 1;
      for (const row of layout.rows) most = Math.max(most, stopsOf(cells[row[column]]), Number(cells[row[column]]?.num_images) || 1);
      return most * IMAGE_WIDTH + 8;
    });
  }

  function showHead() {
    const widths = columnWidths();
    grid.style.setProperty("--pai-board-columns", `${LABEL_WIDTH}px ${widths.map((w) => `${w}px`).join(" ")}`);
    grid.setAttribute("aria-rowcount", String(layout.rows.length + 1));
    grid.setAttribute("aria-colcount", String(layout.columnLabels.length + 1));
    head.replaceChildren(
      h("div", { class: "pai-board-corner", role: "columnheader", text: `${layout.rowAxis ?? ""} \\ ${layout.columnAxis ?? ""}` }),
      ...columnsShown().map((column) => placed(h("div", { class: "pai-board-colhead", role: "columnheader", title: layout.columnLabels[column], text: layout.columnLabels[column] }), column)),
    );
  }

  const columnsShown = () => Array.from({ length: shownColumns.end - shownColumns.start }, (_, n) => shownColumns.start + n);
  // each drawn cell in its own grid column: the columns not drawn leave their tracks empty
  function placed(element, column) {
    element.style.gridColumn = String(column + 2);
    return element;
  }
  function cellElement(row, column) {
    const index = layout.rows[row][column];
    return placed(index === null ? h("div", { class: "pai-board-cell pai-board-none", role: "none" }) : cellView(index).element, column);
  }

  function rowElement(row) {
    const label = layout.rowLabels[row];
    return h("div", { class: "pai-board-row", role: "row", "aria-rowindex": String(row + 2), "data-row": String(row) },
      h("div", { class: "pai-board-rowhead", role: "rowheader", title: label, text: label, style: "grid-column: 1" }),
      ...columnsShown().map((column) => cellElement(row, column)));
  }

  function visibleColumnRange() {
    return visibleColumns({
      scrollLeft: element.scrollLeft,
      viewportWidth: element.clientWidth || VIEWPORT_WIDTH_FALLBACK,
      widths: JSON.parse(shownWidths || "[]"),
      offset: LABEL_WIDTH,
    });
  }

  function visible() {
    return visibleRange({
      scrollTop: element.scrollTop,
      viewportHeight: element.clientHeight || VIEWPORT_FALLBACK,
      rowHeight: ROW_HEIGHT,
      count: layout.rows.length,
      overscan: OVERSCAN,
    });
  }

  function stopAt(at) {
    if (!at) return null;
    const index = layout.rows[at.row]?.[at.column];
    if (index === null || index === undefined || !views.has(index)) return null;
    return views.get(index).stops[at.image] ?? null;
  }

  /** Draws the rows in view; `force` when cells changed (else only a new range redraws). */
  function draw(force = false) {
    const range = visible();
    const columns = visibleColumnRange();
    const sameColumns = columns.start === shownColumns.start && columns.end === shownColumns.end;
    const same = shownRange && range.start === shownRange.start && range.end === shownRange.end && sameColumns;
    if (same && !force) return;
    const hadFocus = grid.contains(document.activeElement);
    if (same && !reshaped) {
      // a live update: only the cells that changed are swapped, in place
      for (const rowNode of body.children) {
        const row = Number(rowNode.dataset.row);
        columnsShown().forEach((column, n) => {
          if (layout.rows[row][column] === null) return;
          const fresh = cellElement(row, column);
          const shown = rowNode.children[n + 1];
          if (shown !== fresh) shown.replaceWith(fresh);
        });
      }
    } else {
      shownRange = range;
      if (!sameColumns) {
        shownColumns = columns;
        showHead();
      }
      before.style.height = `${range.before}px`;
      after.style.height = `${range.after}px`;
      const rows = [];
      for (let row = range.start; row < range.end; row += 1) rows.push(rowElement(row));
      body.replaceChildren(...rows);
    }
    reshaped = false;
    position = clampStop(position, shape());
    for (const view of views.values()) for (const stop of view.stops) stop.tabIndex = -1;
    const current = stopAt(position);
    if (current?.isConnected) current.tabIndex = 0;
    // the focused stop scrolled out of the window: the grid itself keeps the tab stop
    grid.tabIndex = current?.isConnected ? -1 : 0;
    if (hadFocus && !grid.contains(document.activeElement)) (current?.isConnected ? current : grid).focus({ preventScroll: true });
  }

  function focusPosition(at) {
    position = at;
    const top = scrollToShow({
      index: at.row,
      scrollTop: element.scrollTop,
      viewportHeight: element.clientHeight || VIEWPORT_FALLBACK,
      rowHeight: ROW_HEIGHT,
      headerHeight: HEADER_HEIGHT,
    });
    if (top !== element.scrollTop) element.scrollTop = top;
    const left = scrollToShowColumn({
      index: at.column,
      scrollLeft: element.scrollLeft,
      viewportWidth: (element.clientWidth || VIEWPORT_WIDTH_FALLBACK) - LABEL_WIDTH,
      widths: JSON.parse(shownWidths || "[]"),
      offset: LABEL_WIDTH,
    });
    if (left !== element.scrollLeft) element.scrollLeft = left;
    draw(true);
    stopAt(position)?.focus({ preventScroll: true });
  }

  function currentCell() {
    const index = layout.rows[position?.row]?.[position?.column];
    return index === null || index === undefined ? null : index;
  }

  grid.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      onEscape();
      return; // Escape alone goes on to the notebook: it hands focus back to the cell
    }
    const next = position && moveFocus(position, event.key, {
      ...shape(),
      ctrl: event.ctrlKey || event.metaKey,
      page: Math.max(1, Math.floor((element.clientHeight || VIEWPORT_FALLBACK) / ROW_HEIGHT) - 1),
    });
    const cell = position ? currentCell() : null;
    const hasImage = cell !== null && imagesOf(cells[cell]).length > 0;
    if (next) focusPosition(next);
    else if (event.key === " " && hasImage) onPick(cell, position.image);
    else if (event.key === "Enter" && hasImage) onOpen(cell, position.image, stopAt(position));
    else {
      // any other key stays in the board (Tab still moves on); Ctrl/Cmd/Alt shortcuts reach the notebook
      if (!(event.ctrlKey || event.metaKey || event.altKey)) event.stopPropagation();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  // a click (or the page) moved focus onto a stop: the roving stop follows it
  grid.addEventListener("focusin", (event) => {
    if (event.target === grid) {
      if (stopAt(position)?.isConnected) stopAt(position).focus({ preventScroll: true });
      else if (position) focusPosition(position);
      return;
    }
    const stop = event.target.closest?.(".pai-board-stop");
    const cellElement = stop?.closest(".pai-board-cell");
    const row = stop?.closest(".pai-board-row");
    if (!stop || !cellElement || !row) return;
    const index = Number(cellElement.dataset.cell);
    const column = layout.rows[Number(row.dataset.row)]?.indexOf(index);
    if (column === undefined || column < 0) return;
    position = { row: Number(row.dataset.row), column, image: Number(stop.dataset.image ?? 0) };
    for (const view of views.values()) for (const other of view.stops) other.tabIndex = other === stop ? 0 : -1;
    grid.tabIndex = -1;
  });
  element.addEventListener("scroll", () => {
    if (frame !== null) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      draw();
    });
  });

  return {
    element,
    show(nextLayout, nextCells, label) {
      const shapeOf = (l) => JSON.stringify([l.rowAxis, l.columnAxis, l.tab, l.rowLabels, l.columnLabels, l.rows]);
      const newShape = shapeOf(nextLayout) !== shapeOf(layout);
      if (newShape && (nextLayout.rowAxis !== layout.rowAxis || nextLayout.tab !== layout.tab)) position = null; // a new grid: focus starts at its first stop
      layout = nextLayout;
      cells = nextCells;
      grid.setAttribute("aria-label", label);
      const widths = JSON.stringify(columnWidths());
      if (newShape || widths !== shownWidths) {
        reshaped = true;
        shownWidths = widths;
        showHead();
      }
      draw(true);
    },
    /** The element the roving focus is on (for tests and for focus given back). */
    focused: () => stopAt(position),
    focus: () => (stopAt(position)?.isConnected ? stopAt(position) : grid).focus({ preventScroll: true }),
    /** Where the user is: the roving stop and the scroll (kept across a redraw of the output). */
    place: () => ({ position, scrollTop: element.scrollTop }),
    restore(place) {
      position = place.position;
      element.scrollTop = place.scrollTop || 0;
      // a page that lays the grid out later scrolls it then
      if (place.scrollTop && element.scrollTop !== place.scrollTop) requestAnimationFrame(() => { element.scrollTop = place.scrollTop; });
      reshaped = true;
      draw(true);
    },
    close() {
      if (frame !== null) cancelAnimationFrame(frame);
    },
  };
}
