/**
 * Starts the grouped test files first. Jest orders test files by the durations it cached on earlier runs,
 * and by file size when it has none (a fresh clone, CI): the groups are three-line files that run for tens
 * of seconds, so without this they would start last and finish long after everything else.
 */
const Sequencer = require('@jest/test-sequencer').default;

class GroupsFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const grouped = (test) => test.path.endsWith('.grouped.ts');
    return [...sorted.filter(grouped), ...sorted.filter((test) => !grouped(test))];
  }
}

module.exports = GroupsFirst;
