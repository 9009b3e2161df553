// Times arrive as ISO-8601 strings with a zone (or null); the browser works in ms.

/** Milliseconds since the epoch, or null for a missing or unparsable time. */
export function parseTime(iso) {
  if (typeof iso !== "string" || iso === "") return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** "45s", "1m 05s", "2h 03m"; "—" when unknown. */
export function formatDuration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "—";
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  if (minutes > 0) return `${minutes}m ${String(secs).padStart(2, "0")}s`;
  return `${secs}s`;
}

/** Seconds between two ISO times, or null when either is missing. */
export function secondsBetween(fromIso, toIso) {
  const from = parseTime(fromIso);
  const to = parseTime(toIso);
  if (from === null || to === null) return null;
  return Math.max(0, (to - from) / 1000);
}

/** Seconds a job has been running (or ran): from its start (or creation) to its end or now. */
export function elapsedSeconds(job, nowMs) {
  const start = parseTime(job.started_at) ?? parseTime(job.created_at);
  if (start === null) return null;
  const end = parseTime(job.completed_at) ?? parseTime(job.failed_at) ?? nowMs;
  return Math.max(0, (end - start) / 1000);
}

/** "about 12s", "any moment now", or "—". */
export function formatEta(seconds) {
  if (seconds === null) return "—";
  if (seconds < 1) return "any moment now";
  return `about ${formatDuration(seconds)}`;
}

/** A local date and time, "2024-01-15 10:30:05"; "—" when unknown. */
export function formatTimestamp(iso) {
  const ms = parseTime(iso);
  if (ms === null) return "—";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}
