// Imports a Lambda bundle in a fresh Node process, as the Lambda runtime does, invokes its handler
// with the event given as JSON and writes `{result}` or `{error}` as JSON to the output file.
// Usage: node invoke-bundle.mjs <bundle.mjs> <event-json> <output-file>
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventJson, output] = process.argv.slice(2);
const context = {
  awsRequestId: 'bundle-test',
  functionName: 'bundle-test',
  getRemainingTimeInMillis: () => 60000,
};
try {
  const { handler } = await import(pathToFileURL(bundle).href);
  const result = await handler(JSON.parse(eventJson), context);
  await writeFile(output, JSON.stringify({ result }));
} catch (error) {
  await writeFile(output, JSON.stringify({ error: { message: error.message, code: error.code } }));
}
process.exit(0);
