/** Removes the test file's throwaway databases, users and topic (throwaway-env.ts) after its last test. */
import { dropThrowaway, type ThrowawayNames } from './isolated-databases.js';
import { deleteTopics } from './topics.js';

afterAll(async () => {
  const made = (globalThis as { __throwaway?: { names: ThrowawayNames; topic: string } }).__throwaway;
  if (!made) return;
  await dropThrowaway(made.names);
  await deleteTopics([made.topic]);
});
