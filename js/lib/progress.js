// How far a running job has probably got between two reads of its progress: the bar moves on
// from each read at the pace the job has shown (blended with the server's estimate), never
// backwards, and never past 99 % before the server says the job completed.

const CEILING = 99;
// above this the bar slows down, nearing the ceiling without reaching it: a job past its estimate
const EASE_FROM = 90;
const ROOM = CEILING - EASE_FROM;
const MIN_REMAINING_MS = 1000;

/** The shown value of a linear guess: itself up to 90, then closer and closer to 99. */
export function easeBelowCeiling(linear) {
  if (linear <= EASE_FROM) return linear;
  return EASE_FROM + ROOM * (1 - Math.exp(-(linear - EASE_FROM) / ROOM));
}

/** The linear guess a shown value came from (the inverse of easeBelowCeiling). */
function unease(shown) {
  if (shown <= EASE_FROM) return shown;
  return EASE_FROM - ROOM * Math.log(1 - Math.min(shown - EASE_FROM, ROOM - 1e-9) / ROOM);
}

/**
 * The job's expected run in ms from `startMs`: the pace it showed (elapsed at the read over the
 * progress read) weighed against the server's estimate from creation, trusting the pace more as
 * progress grows. Null when neither is known.
 */
export function expectedRunMs({ progress, observedMs, startMs, createdMs, estimatedSeconds }) {
  const paced = progress > 0 && observedMs > startMs ? ((observedMs - startMs) * 100) / progress : null;
  const estimated =
    typeof estimatedSeconds === "number" && estimatedSeconds > 0
      ? estimatedSeconds * 1000 - (createdMs === null ? 0 : startMs - createdMs)
      : null;
  if (paced === null && estimated === null) return null;
  if (paced === null) return Math.max(MIN_REMAINING_MS, estimated);
  if (estimated === null) return paced;
  const trust = progress / 100;
  return Math.max(MIN_REMAINING_MS, trust * paced + (1 - trust) * estimated);
}

/**
 * A clock for one job's bar. `read({progress, running, startMs, createdMs, estimatedSeconds}, nowMs)`
 * takes each state the server sent; `at(nowMs)` gives {percent, overdue, etaSeconds}: percent
 * is what to show (a number, never lower than before), overdue is true once the job runs past
 * what it was expected to take, etaSeconds is null when nothing is known.
 */
export function progressClock() {
  let shown = 0;
  // the line the bar follows since the last read, {linear, atMs, remainingMs, endMs}, or {holding, endMs}
  let anchor = null;
  let lastRead = null;

  function read({ progress, running, startMs, createdMs, estimatedSeconds }, nowMs) {
    const value = Math.max(0, Math.min(100, Number(progress) || 0));
    if (lastRead === null || value !== lastRead.value) lastRead = { value, atMs: nowMs };
    shown = Math.max(shown, Math.min(CEILING, value));
    if (!running || startMs === null) {
      // waiting to start: the bar holds, the ETA is the server's estimate from creation
      const estimated = typeof estimatedSeconds === "number" && createdMs !== null;
      anchor = estimated ? { holding: true, endMs: createdMs + estimatedSeconds * 1000 } : null;
      return;
    }
    const run = expectedRunMs({ progress: value, observedMs: lastRead.atMs, startMs, createdMs, estimatedSeconds });
    if (run === null) {
      anchor = null;
      return;
    }
    const endMs = startMs + run;
    anchor = {
      linear: Math.max(value, unease(shown)),
      atMs: nowMs,
      remainingMs: Math.max(MIN_REMAINING_MS, endMs - nowMs),
      endMs,
    };
  }

  function at(nowMs) {
    if (anchor === null) return { percent: shown, overdue: false, etaSeconds: null };
    const { holding, linear, atMs, remainingMs, endMs } = anchor;
    const etaSeconds = Math.max(0, (endMs - nowMs) / 1000);
    if (holding) return { percent: shown, overdue: false, etaSeconds };
    const guess = linear + ((100 - linear) * Math.max(0, nowMs - atMs)) / remainingMs;
    shown = Math.max(shown, easeBelowCeiling(guess));
    return { percent: shown, overdue: nowMs > endMs, etaSeconds };
  }

  return { read, at };
}
