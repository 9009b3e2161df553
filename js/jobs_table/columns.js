// The table's columns: the key the rows are sorted by, the header, and how a cell reads.
import { formatDuration, formatTimestamp } from "../lib/time.js";
import { imagesMade } from "../lib/rows.js";
import { h, plural } from "../shared/dom.js";

const text = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));

// the images a job made: a failed job made none; a running one shows what it asked for, on hover
function imagesCell(row) {
  const made = imagesMade(row);
  if (made !== null) return String(made);
  const asked = row.num_images == null ? null : `${plural(Number(row.num_images), "image")} asked for, not made yet`;
  return h("span", { class: "pai-muted", title: asked, text: "—" });
}

export const COLUMNS = [
  { key: "job_id", label: "Job", cell: (row) => h("code", { text: text(row.job_id) }) },
  {
    key: "status",
    label: "Status",
    cell: (row) => h("span", { class: "pai-chip", "data-status": text(row.status), text: text(row.status) }),
  },
  { key: "model", label: "Model", cell: (row) => text(row.model) },
  // what this client sent (the API never returns it): cut to the column, whole on hover
  { key: "prompt", label: "Prompt", cell: (row) => h("span", { class: "pai-prompt", title: row.prompt || null, text: text(row.prompt) }) },
  { key: "num_images", label: "Images", numeric: true, cell: imagesCell },
  { key: "tokens_used", label: "Credits", numeric: true, cell: (row) => text(row.tokens_used) },
  { key: "created_at", label: "Created", cell: (row) => formatTimestamp(row.created_at) },
  { key: "duration_seconds", label: "Duration", numeric: true, cell: (row) => formatDuration(row.duration_seconds) },
];
