/** Range-query results into the metric_samples table, through an appender. */
import { appendInstant, type Database } from '../db/database.js';
import { sampleValue, type MatrixSeries } from './client.js';

export interface QueryResultSet {
  name: string;
  query: string;
  series: MatrixSeries[];
}


export async function storeSamples(db: Database, results: QueryResultSet[]): Promise<number> {
  const a = await db.appender('metric_samples');
  let n = 0;
  for (const r of results) {
    for (const [i, s] of r.series.entries()) {
      const labels = JSON.stringify(s.metric);
      for (const [t, v] of s.values) {
        a.appendVarchar(r.name);
        a.appendVarchar(r.query);
        a.appendInteger(i);
        a.appendVarchar(labels);
        appendInstant(a, Math.round(t * 1e6));
        a.appendDouble(sampleValue(v));
        a.endRow();
        n++;
      }
    }
  }
  a.closeSync();
  return n;
}
