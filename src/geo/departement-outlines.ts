import fs from 'node:fs';

/** The simplified département outlines (GeoJSON FeatureCollection, properties `{code, nom}`), kept as served bytes. */
export interface DepartementOutlines {
  /** The file's JSON, unchanged, ready to send. */
  body: Buffer;
  /** Strong validator for conditional GETs. */
  etag: string;
  featureCount: number;
}

export function loadDepartementOutlines(file: string): DepartementOutlines {
  const body = fs.readFileSync(file);
  const parsed = JSON.parse(body.toString('utf8')) as { type?: string; features?: unknown[] };
  if (parsed.type !== 'FeatureCollection' || !Array.isArray(parsed.features)) {
    throw new Error(`${file}: not a GeoJSON FeatureCollection`);
  }
  const stat = fs.statSync(file);
  return { body, etag: `"dep-${stat.size}-${Math.floor(stat.mtimeMs)}"`, featureCount: parsed.features.length };
}
