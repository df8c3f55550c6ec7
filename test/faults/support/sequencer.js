// Runs the fault scenarios in the order of their file names (each leaves the stack at rest for the next).
import sequencer from '@jest/test-sequencer';

const Sequencer = sequencer.default ?? sequencer;

export default class ByName extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
}
