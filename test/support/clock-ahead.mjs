/**
 * Preloaded (`node --import`) into a local-mode process a test starts: its clock runs
 * `SWITCHBOARD_TEST_CLOCK_AHEAD_MS` ahead, so a restart can find the leases and claims a killed process left
 * already lapsed without the test waiting for them (an injected clock, for a whole process).
 */
const ahead = Number(process.env.SWITCHBOARD_TEST_CLOCK_AHEAD_MS ?? 0);
if (Number.isFinite(ahead) && ahead !== 0) {
  const realNow = Date.now;
  Date.now = () => realNow() + ahead;
}
