/**
 * The search engine: parse (./parse) → compile to SQL (./compile) → run one statement per page
 * (+ the total on the first page, + includes) → searchset Bundle (./bundle).
 */
import type { Database } from '../db/database.ts';
import { FhirError, type Issue } from '../fhir/outcome.ts';
import { RESOURCE_TYPES, tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { searchsetBundle } from './bundle/searchset.ts';
import type { AccessFilter } from './compile/base-where.ts';
import { buildTsQuery, queryWords, type CompileContext } from './compile/criteria.ts';
import { countSql, decodeCursor, matchWhere, pageSql, totalInPage, type Cursor } from './compile/page-query.ts';
import { SqlParams } from './compile/sql-params.ts';
import { resolveIncludes } from './includes.ts';
import { expandValueSetCriteria } from './value-set-in.ts';
import { parseSearchRequest, type ParseContext } from './parse/parse-request.ts';
import type { Criterion, SearchQuery } from './parse/search-query.ts';
import { SearchInputError } from './parse/values.ts';
import { searchParamRegistry, type SearchParamRegistry } from './registry/registry.ts';
import { StatisticsKeeper } from './statistics.ts';
import type { SearchEngine, SearchRequest } from './search-engine.ts';

export interface SearchEngineOptions {
  registry?: SearchParamRegistry;
  /** Access rules compiled into every query (see compile/base-where.ts). */
  accessFilter?: AccessFilter;
  /** Clock (tests). */
  now?: () => Date;
}

/** Close dictionary words a _content word is expanded to. */
const CLOSE_WORDS = 3;

interface CommuneInfo { lat: number; lon: number; departement: string; region: string }

function toIssue(e: SearchInputError, severity: Issue['severity']): Issue {
  return { severity, code: e.code, fr: e.fr, en: e.en, expression: e.param };
}

export class SqlSearchEngine implements SearchEngine {
  private readonly registry: SearchParamRegistry;
  private communes?: Promise<Map<string, CommuneInfo>>;
  /** Planner statistics upkeep on PGlite (no autovacuum there). */
  readonly statistics: StatisticsKeeper;

  constructor(private readonly db: Database, private readonly opts: SearchEngineOptions = {}) {
    this.registry = opts.registry ?? searchParamRegistry();
    this.statistics = new StatisticsKeeper(db);
  }

  /** The commune gazetteer (loaded once, ~35k rows) for near-insee-code and intervention-zone. */
  private loadCommunes(): Promise<Map<string, CommuneInfo>> {
    this.communes ??= this.db
      .query<{ cog: string; lat: number; lon: number; departement: string; region: string }>('SELECT cog, lat, lon, departement, region FROM commune')
      .then((r) => new Map(r.rows.map((c) => [c.cog, { lat: c.lat, lon: c.lon, departement: c.departement, region: c.region }])));
    return this.communes;
  }

  supportedParameters(type: ResourceType): { name: string; type: string; definition?: string; documentation?: string }[] {
    return this.registry.all(type).map((p) => ({
      name: p.code,
      type: p.type,
      ...(p.url ? { definition: p.url } : {}),
      ...(p.source === 'ror' ? { documentation: 'Paramètre du guide ROR (définition corrigée, voir ror-ig.md §2.3)' } : {}),
    }));
  }

  includes(type: ResourceType): { include: string[]; revInclude: string[] } {
    const include = this.registry.all(type).filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`);
    const revInclude = RESOURCE_TYPES.flatMap((other) => this.registry.all(other)
      .filter((p) => p.type === 'reference' && (p.targets ?? []).includes(type))
      .map((p) => `${other}:${p.code}`));
    return { include: ['*', ...include], revInclude };
  }

  async search(req: SearchRequest): Promise<Bundle> {
    try {
      return await this.searchOnce(req);
    } finally {
      this.statistics.poke();
    }
  }

  private async searchOnce(req: SearchRequest): Promise<Bundle> {
    if (!req.resourceType) {
      throw new FhirError(400, [{ severity: 'error', code: 'not-supported', fr: 'Recherche sans type de ressource non prise en charge', en: 'System-level search is not supported' }]);
    }
    const needsCommunes = req.params.some(([k]) => k.includes('near-insee-code') || k.includes('intervention-zone') || k === '_filter');
    const communes = needsCommunes ? await this.loadCommunes() : new Map<string, CommuneInfo>();
    const pc: ParseContext = { registry: this.registry, centroid: (cog) => communes.get(cog) };
    let parsed;
    try {
      parsed = parseSearchRequest(pc, req.resourceType, req.params, req.lenient);
    } catch (err) {
      if (err instanceof SearchInputError) throw new FhirError(400, [toIssue(err, 'error')]);
      throw err;
    }
    const { query } = parsed;
    await this.expandContent(query.criteria);
    try {
      await expandValueSetCriteria(this.db, query.criteria);
    } catch (err) {
      if (err instanceof SearchInputError) throw new FhirError(400, [toIssue(err, 'error')]);
      throw err;
    }
    const warnings = parsed.warnings.map((w) => toIssue(w, 'warning'));
    let cursor: Cursor | undefined;
    try {
      cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
      // Default order: relevance for _content, nearest first for near / near-insee-code, else id.
      if (!query.sort.length && query.criteria.some((c) => c.kind === 'content')) query.sort = [{ key: '_score', desc: true }];
      else if (!query.sort.length && query.near && (!query.near.chained || query.near.via)) query.sort = [{ key: 'distance', desc: false }];
      return await this.run(req, query, cursor, communes, warnings);
    } catch (err) {
      if (err instanceof SearchInputError) throw new FhirError(400, [toIssue(err, 'error')]);
      throw err;
    }
  }

  /** Typo tolerance of _content: each query word also matches its close dictionary words. */
  private async expandContent(criteria: Criterion[]): Promise<void> {
    const found: Extract<Criterion, { kind: 'content' }>[] = [];
    const walk = (c: Criterion): void => {
      if (c.kind === 'content') found.push(c);
      else if (c.kind === 'and' || c.kind === 'or') c.items.forEach(walk);
      else if (c.kind === 'not') walk(c.item);
      else if (c.kind === 'has') walk(c.inner);
    };
    criteria.forEach(walk);
    for (const c of found) {
      const words = queryWords(c.text);
      const close = new Map<string, string[]>();
      if (words.length) {
        const r = await this.db.query<{ w: string; word: string }>(
          `SELECT q.w, s.word FROM unnest($1::text[]) AS q(w)
           CROSS JOIN LATERAL (SELECT word FROM search_word WHERE word % q.w ORDER BY word <-> q.w, word LIMIT ${CLOSE_WORDS}) s`,
          [words],
        );
        for (const row of r.rows) close.set(row.w, [...(close.get(row.w) ?? []), row.word]);
      }
      c.tsquery = buildTsQuery(words, close);
    }
  }

  private compileContext(req: SearchRequest, communes: Map<string, CommuneInfo>, params = new SqlParams()): CompileContext {
    return { ctx: req.ctx, params, access: this.opts.accessFilter, commune: (cog) => communes.get(cog) };
  }

  private async run(req: SearchRequest, q: SearchQuery, cursor: Cursor | undefined, communes: Map<string, CommuneInfo>, warnings: Issue[]): Promise<Bundle> {
    const now = this.opts.now?.() ?? new Date();
    let total = cursor?.total;
    // An accurate total on a first page is counted by the page statement itself when its shape allows.
    const countInPage = total === undefined && !cursor && !q.summaryCount && q.total === 'accurate' && totalInPage(q);
    if (total === undefined && !countInPage && (q.summaryCount || q.total !== 'none')) {
      const cc = this.compileContext(req, communes);
      total = q.total === 'estimate' && !q.summaryCount ? await this.estimate(cc, q) : await this.count(cc, q);
    }
    if (q.summaryCount) return searchsetBundle(req.baseUrl, q, { matches: [], includes: [], total, warnings });

    const cc = this.compileContext(req, communes);
    const page = pageSql(cc, q, cursor, q.count + 1, now, countInPage);
    const rows = (await this.db.query<Record<string, unknown> & { id: string; content: Resource; total_n?: number | string }>(page.sql, cc.params.values)).rows;
    if (page.withTotal) total = rows.length ? Number(rows[0].total_n) : 0;
    const more = rows.length > q.count;
    const kept = rows.slice(0, q.count);
    if (cursor?.dir === 'prev') kept.reverse();
    const boundary = (row: Record<string, unknown> & { id: string }, dir: 'next' | 'prev'): Cursor => ({
      keys: Array.from({ length: page.keyCount }, (_, i) => {
        const v = row[`k${i}`];
        return v instanceof Date ? v.toISOString() : (v as string | number | null);
      }),
      id: row.id, t: page.snapshot, dir, ...(total !== undefined ? { total } : {}),
    });
    const forward = cursor?.dir !== 'prev';
    const hasNext = forward ? more : true;
    const hasPrev = forward ? cursor !== undefined : more;
    const matches = kept.map((r) => r.content);
    const includes = await resolveIncludes(this.db, { ctx: req.ctx, access: this.opts.accessFilter }, q.type, matches, q.includes);
    return searchsetBundle(req.baseUrl, q, {
      matches, includes, total, warnings,
      self: q.cursor,
      next: hasNext && kept.length ? boundary(kept[kept.length - 1], 'next') : undefined,
      previous: hasPrev && kept.length ? boundary(kept[0], 'prev') : undefined,
    });
  }

  private async count(cc: CompileContext, q: SearchQuery): Promise<number> {
    const sql = countSql(cc, q);
    return (await this.db.query<{ n: number }>(sql, cc.params.values)).rows[0].n;
  }

  /** `_total=estimate`: the planner's row estimate (no scan). */
  private async estimate(cc: CompileContext, q: SearchQuery): Promise<number> {
    const sql = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${tableOf(q.type)} m WHERE ${matchWhere(cc, q, 'm')}`;
    const r = await this.db.query<Record<string, unknown>>(sql, cc.params.values);
    const raw = Object.values(r.rows[0])[0];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[];
    return Math.round(plan[0].Plan['Plan Rows']);
  }
}

/** The engine the API uses: `createSearchEngine(db)`; security adds `accessFilter`. */
export function createSearchEngine(db: Database, opts: SearchEngineOptions = {}): SqlSearchEngine {
  return new SqlSearchEngine(db, opts);
}
