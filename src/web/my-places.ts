/**
 * "Ma structure" as the patient's place: the sites (Locations without partOf, with a position) of the signed-in
 * person's organizations and of the establishments (EG) below them, read through the search index
 * (`organization` and `partof` references), a handful of rows.
 */
import type { Queryable } from '../db/database.ts';
import type { MyPlace } from './api-types.ts';

export async function myPlaces(db: Queryable, organizations: readonly string[]): Promise<MyPlace[]> {
  if (!organizations.length) return [];
  const { rows } = await db.query<{ id: string; org: string; name: string | null; lat: number; lon: number; commune: string[] | null }>(`
    WITH orgs AS (
      SELECT unnest($1::text[]) AS id
      UNION
      SELECT r.id FROM search_reference r WHERE r.rtype = 'Organization' AND r.param = 'partof' AND r.target_id = ANY($1::text[])
    )
    SELECT l.id, o.id AS org, coalesce(l.content->>'name', oo.content->>'name') AS name, l.lat, l.lon, l.commune_cog AS commune
    FROM orgs o
    JOIN search_reference r ON r.rtype = 'Location' AND r.param = 'organization' AND r.target_id = o.id
    JOIN location l ON l.id = r.id AND NOT l.deleted AND l.lat IS NOT NULL AND NOT (l.content ? 'partOf')
    LEFT JOIN organization oo ON oo.id = o.id
    ORDER BY (o.id = ANY($1::text[])) DESC, 3, 1
    LIMIT 20`, [organizations]);
  return rows.map((r) => ({
    locationId: r.id, organizationId: r.org, name: r.name ?? r.id, lat: Number(r.lat), lon: Number(r.lon),
    ...(r.commune?.find((c) => /^[0-9][0-9AB][0-9]{3}$/.test(c)) ? { commune: r.commune.find((c) => /^[0-9][0-9AB][0-9]{3}$/.test(c)) } : {}),
  }));
}
