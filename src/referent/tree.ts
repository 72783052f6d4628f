/**
 * A structure's tree for its referent: EJ → EG → internal units → offers (HealthcareService) → places
 * (Location), each item with its verification status, freshness, and — from the indicators engine, not
 * re-implemented here — the population criteria still missing (offers) and the quality écarts.
 */
import type { Database, Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { unitStatuses, type UnitStatus } from '../indicators/population.ts';
import type { RuleResult } from '../indicators/quality.ts';
import { verificationStatusOf, type VerificationStatus } from '../ingest/verification-status.ts';
import { capacitiesOf, closedAt, closureOf, type CapacityRecord } from './capacity.ts';
import { confirmationDateOf } from './confirmation.ts';
import { isStale } from './freshness.ts';
import type { ItemKind, TreeItem } from './api-types.ts';

export type { ItemKind, TreeItem } from './api-types.ts';

/** How the referent's page names each population criterion (the criteria themselves: src/indicators/population.ts). */
export const CRITERIA_LABELS: Record<keyof UnitStatus['criteria'], string> = {
  field: "champ d'activité",
  organisationCategory: "catégorie d'organisation",
  activity: 'activité opérationnelle',
  careMode: 'mode de prise en charge',
  ages: 'patientèle (âges minimum et maximum)',
  address: 'adresse du lieu de réalisation',
  contact: 'contact (fonction ou nature, télécommunication complète)',
};

interface Row { id: string; version_id: number; last_updated: Date | string; content: Resource }

const ORG_REF = `substring(content->'partOf'->>'reference' from 'Organization/([A-Za-z0-9.-]+)')`;
const iso = (d: Date | string) => new Date(d).toISOString();
const FINESS = 'https://finess.esante.gouv.fr';

function finessOf(r: Resource): string | undefined {
  return ((r.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === FINESS)?.value;
}

function refIds(refs: unknown, type: string): string[] {
  const list = Array.isArray(refs) ? refs : refs ? [refs] : [];
  return list.map((x) => /(?:^|\/)([A-Za-z]+)\/([A-Za-z0-9.-]+)$/.exec(String((x as { reference?: string }).reference ?? '')))
    .filter((m): m is RegExpExecArray => !!m && m[1] === type).map((m) => m[2]);
}

/** The organization ids below `rootId` (partOf chain, up to 8 levels), the root included, with their parent. */
async function organizationsBelow(q: Queryable, rootId: string): Promise<(Row & { parent: string | null; depth: number })[]> {
  const r = await q.query<Row & { parent: string | null; depth: number }>(
    `WITH RECURSIVE down(id, depth) AS (
       SELECT $1::text, 0
       UNION
       SELECT o.id, down.depth + 1 FROM down JOIN organization o ON NOT o.deleted AND ${ORG_REF.replace('content', 'o.content')} = down.id
       WHERE down.depth < 8
     )
     SELECT o.id, o.version_id, o.last_updated, o.content, ${ORG_REF.replace('content', 'o.content')} AS parent, min(down.depth) AS depth
     FROM down JOIN organization o ON o.id = down.id AND NOT o.deleted
     GROUP BY o.id, o.version_id, o.last_updated, o.content ORDER BY min(down.depth), o.content->>'name', o.id`,
    [rootId],
  );
  return r.rows;
}

function item(type: TreeItem['type'], kind: ItemKind, row: Row, staleDays: number, now: Date): TreeItem {
  const r = row.content;
  return {
    type, id: row.id, kind,
    name: String(r.name ?? row.id),
    versionId: Number(row.version_id),
    lastUpdated: iso(row.last_updated),
    status: verificationStatusOf(r) ?? null,
    confirmedAt: confirmationDateOf(r),
    stale: isStale(iso(row.last_updated), staleDays, now),
    finess: finessOf(r),
    missing: [],
    deviations: [],
    children: [],
  };
}

/** An offer with its places (capacities) and closure. */
function offerItem(o: Row, places: Map<string, Row>, staleDays: number, now: Date): TreeItem {
  const it = item('HealthcareService', 'offre', o, staleDays, now);
  it.closure = closureOf(o.content);
  it.closed = closedAt(o.content, now);
  for (const lid of refIds(o.content.location, 'Location')) {
    const l = places.get(lid);
    if (!l) continue;
    const place = item('Location', 'lieu', l, staleDays, now);
    place.capacities = capacitiesOf(l.content);
    it.children.push(place);
  }
  return it;
}

/** Offers by id with their places, as tree items (a professional's city offers). */
export async function offerItems(db: Queryable, ids: string[], opts: { staleDays: number; now?: Date }): Promise<TreeItem[]> {
  if (!ids.length) return [];
  const now = opts.now ?? new Date();
  const offers = (await db.query<Row>('SELECT id, version_id, last_updated, content FROM healthcare_service WHERE NOT deleted AND id = ANY($1::text[]) ORDER BY id', [ids])).rows;
  const locIds = [...new Set(offers.flatMap((o) => refIds(o.content.location, 'Location')))];
  const places = new Map((await db.query<Row>('SELECT id, version_id, last_updated, content FROM location WHERE NOT deleted AND id = ANY($1::text[])', [locIds])).rows.map((l) => [l.id, l]));
  return offers.map((o) => offerItem(o, places, opts.staleDays, now));
}

/** The tree of structure `rootId` (an EJ or an EG), or undefined when it does not exist. */
export async function structureTree(
  db: Database, rootId: string,
  opts: { staleDays: number; now?: Date; quality: () => Promise<{ results: RuleResult[] }> },
): Promise<TreeItem | undefined> {
  const now = opts.now ?? new Date();
  const orgs = await organizationsBelow(db, rootId);
  if (!orgs.length) return undefined;
  const root = orgs[0];
  const rootIsEj = !root.parent;
  const kindOf = (depth: number): ItemKind => (rootIsEj ? (depth === 0 ? 'EJ' : depth === 1 ? 'EG' : 'OI') : depth === 0 ? 'EG' : 'OI');
  const byId = new Map<string, TreeItem>();
  for (const o of orgs) byId.set(o.id, item('Organization', kindOf(Number(o.depth)), o, opts.staleDays, now));
  for (const o of orgs.slice(1)) byId.get(o.parent!)?.children.push(byId.get(o.id)!);

  const orgIds = orgs.map((o) => o.id);
  const offers = (await db.query<Row & { provider: string }>(
    `SELECT id, version_id, last_updated, content, substring(content->'providedBy'->>'reference' from 'Organization/([A-Za-z0-9.-]+)') AS provider
     FROM healthcare_service WHERE NOT deleted
       AND substring(content->'providedBy'->>'reference' from 'Organization/([A-Za-z0-9.-]+)') = ANY($1::text[])
     ORDER BY content->>'name', id`, [orgIds])).rows;
  const locIds = [...new Set(offers.flatMap((o) => refIds(o.content.location, 'Location')))];
  const places = new Map((await db.query<Row>(
    `SELECT id, version_id, last_updated, content FROM location WHERE NOT deleted
       AND (id = ANY($1::text[]) OR substring(content->'managingOrganization'->>'reference' from 'Organization/([A-Za-z0-9.-]+)') = ANY($2::text[]))`,
    [locIds, orgIds])).rows.map((l) => [l.id, l]));

  const offerItems = new Map<string, TreeItem>();
  for (const o of offers) {
    const it = offerItem(o, places, opts.staleDays, now);
    offerItems.set(o.id, it);
    byId.get(o.provider)?.children.push(it);
  }

  // Missing criteria (per site, live) and écarts (the last evaluation of the quality rules over the whole
  // directory: see QualityCache), from the indicators engine.
  const sites = orgs.filter((o) => kindOf(Number(o.depth)) === 'EG');
  if (sites.length) {
    // Sites in parallel: on PostgreSQL each runs on its own pooled connection (PGlite queues them).
    const [{ results }, unitsBySite] = await Promise.all([
      opts.quality(),
      Promise.all(sites.map((site) => unitStatuses(db, { siteId: site.id }))),
    ]);
    for (const [i, site] of sites.entries()) {
      const units = unitsBySite[i];
      for (const u of units) {
        const it = offerItems.get(u.id);
        if (it) it.missing = (Object.entries(u.criteria) as [keyof UnitStatus['criteria'], boolean | null][]).filter(([, v]) => v === false).map(([k]) => CRITERIA_LABELS[k]);
      }
      const finess = byId.get(site.id)?.finess;
      const unitIds = new Set(units.map((u) => u.id));
      for (const d of results) {
        if (d.status !== 'ecart') continue;
        const mine = d.objectId === site.id || unitIds.has(d.objectId) || (finess !== undefined && d.finess === finess && d.objectType !== 'HealthcareService');
        if (!mine) continue;
        const target = offerItems.get(d.objectId) ?? byId.get(d.objectId) ?? byId.get(site.id);
        if (target && !target.deviations.some((x) => x.rule === d.rule && x.reason === d.reason)) target.deviations.push({ rule: d.rule, reason: d.reason });
      }
    }
  }
  return byId.get(root.id);
}
