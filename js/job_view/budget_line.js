// What a card says while the account's request budget (its rate limit) holds its next read back:
// when, in plain words, in one quiet line (a batch of cards each saying it must not look alarming).

/** "about 35 s", "about 2 min"; "a moment" once the time is up (the next read is on its way). */
export function aboutWhen(seconds) {
  if (!(seconds > 0)) return "a moment";
  if (seconds < 90) return `about ${Math.ceil(seconds)} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

const WHAT_COMES = {
  progress: "Next update",
  completed: "Images",
  failed: "The error's details",
};

/** The line for a card in `phase` whose next read may go in `seconds` (null: not known). */
export function budgetLine(phase, seconds) {
  const what = WHAT_COMES[phase] ?? WHAT_COMES.progress;
  const when = seconds == null ? "once the account's rate limit allows" : `in ${aboutWhen(seconds)} (the account's rate limit)`;
  return `${what} ${when}`;
}
