// The table's columns: the key the rows are sorted by, the header, and how a cell reads.
import { formatDuration, formatTimestamp } from "../lib/time.js";
import { h } from "../shared/dom.js";

const text = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));

export const COLUMNS = [
  { key: "job_id", label: "Job", cell: (row) => h("code", { text: text(row.job_id) }) },
  {
    key: "status",
    label: "Status",
    cell: (row) => h("span", { class: "pai-chip", "data-status": text(row.status), text: text(row.status) }),
  },
  { key: "model", label: "Model", cell: (row) => text(row.model) },
  { key: "num_images", label: "Images", numeric: true, cell: (row) => text(row.num_images) },
  { key: "tokens_used", label: "Credits", numeric: true, cell: (row) => text(row.tokens_used) },
  { key: "created_at", label: "Created", cell: (row) => formatTimestamp(row.created_at) },
  { key: "duration_seconds", label: "Duration", numeric: true, cell: (row) => formatDuration(row.duration_seconds) },
];
