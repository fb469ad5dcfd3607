// The GraphQL-over-HTTP reference audit from `graphql-http`, run against a live server.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON array: {id, name, status: ok | notice (MAY) | warn (SHOULD) | error (MUST), reason}.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const audits = serverAudits({ url });
const results = await Promise.all(audits.map(({ fn }) => fn()));
console.log(
  JSON.stringify(
    results.map(({ id, name, status, reason }) => ({ id, name, status, reason: reason ?? null })),
  ),
);
