// The board's header: the batch's name and counts, its ETA, the one budget line, and its actions.
import { aboutSeconds, batchEta, budgetLine, headerCounts } from "../lib/board_header.js";
import { facts, h, setFact } from "../shared/dom.js";

const COUNTS = [
  ["completed", "Completed"],
  ["running", "Running"],
  ["queued", "Queued"],
  ["failed", "Failed"],
  ["images", "Images"],
  ["credits", "Credits used"],
];

/** {element, show({name, cells, rate, budget, picks, nowMs}), say(text), buttons}. */
export function boardHeader({ onSwap, onCompare, onDownload }) {
  const title = h("strong", { class: "pai-board-name" });
  const counts = facts([...COUNTS.map(([name, label]) => [name, label, "0"]), ["eta", "ETA", "—"]]);
  // the one line for the budget wait: never a banner per job
  const budget = h("p", { class: "pai-board-budget", role: "status" });
  const swap = h("button", { class: "pai-board-swap", type: "button", text: "Swap rows and columns" });
  const compare = h("button", { class: "pai-board-compare", type: "button", "aria-pressed": "false", text: "Compare picks" });
  const download = h("button", { class: "pai-board-download", type: "button", text: "Download picks" });
  const said = h("span", { class: "pai-board-said pai-muted", role: "status" });
  swap.addEventListener("click", onSwap);
  compare.addEventListener("click", onCompare);
  download.addEventListener("click", onDownload);
  const element = h("div", { class: "pai-board-header" },
    h("div", { class: "pai-board-title" }, title, counts),
    budget,
    h("div", { class: "pai-board-actions" }, swap, compare, download, said));

  function show({ name, cells, rate, budget: wait, picks, nowMs }) {
    title.textContent = name ? `Batch ${name}` : "Batch";
    const counted = headerCounts(cells);
    for (const [key] of COUNTS) setFact(counts, key, String(counted[key]));
    const eta = batchEta(cells, { nowMs, rate, budgetWait: wait?.waiting ? Number(wait.seconds) || 0 : 0 });
    const ended = counted.completed + counted.failed === cells.length;
    setFact(counts, "eta", ended ? "done" : eta === null ? "—" : aboutSeconds(eta));
    const line = budgetLine(wait);
    budget.textContent = line;
    budget.hidden = !line;
    compare.disabled = picks === 0;
    download.disabled = picks === 0;
    download.textContent = picks ? `Download picks (${picks})` : "Download picks";
    return ended;
  }

  return {
    element,
    show,
    say: (text) => (said.textContent = text),
    showCompare: (open) => compare.setAttribute("aria-pressed", String(open)),
    focusCompare: () => compare.focus(),
  };
}
