// Neo4j's own Cypher parser (@neo4j-cypher/language-support) over every statement of a file.
import { lintCypherQuery } from '@neo4j-cypher/language-support';
import { readFileSync } from 'fs';
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.trim() && !l.startsWith('//'));
let bad = 0; const examples = [];
for (const line of lines) {
  const result = lintCypherQuery(line, {});
  const diags = Array.isArray(result) ? result : (result.diagnostics ?? []);
  const errors = diags.filter(d => d.severity === 1);
  if (errors.length) { bad++; if (examples.length < 5) examples.push({ statement: line.slice(0, 200), errors: errors.slice(0, 2).map(e => e.message) }); }
}
console.log(JSON.stringify({ statements: lines.length, errors: bad, examples }));
