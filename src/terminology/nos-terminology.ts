import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queryable } from '../db/database.ts';
import { buildCatalogue, type ConceptData, type MemberData, type TerminologyData, type ValueSetData } from './catalogue.ts';
import { parseFolder, type ParsedFile } from './nos-files.ts';
import type { CodeCheck, ConceptInfo, Terminology } from './terminology.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the NOS files: `ROR_NOS_DIR`, else `<repo>/../shared/data/nos`. */
export function defaultNosDir(): string {
  return process.env.ROR_NOS_DIR || path.resolve(REPO_ROOT, '../shared/data/nos');
}

/** Folder of the IG's own CodeSystem/ValueSet JSON: `ROR_IG_DIR`, else `<repo>/../shared/spec/ror-ig`. */
export function defaultIgDir(): string {
  return process.env.ROR_IG_DIR || path.resolve(REPO_ROOT, '../shared/spec/ror-ig');
}

/** `url|version` → `url`. */
function canonical(url: string): string {
  const bar = url.indexOf('|');
  return bar >= 0 ? url.slice(0, bar) : url;
}

interface IndexedValueSet {
  data: ValueSetData;
  byCode: Map<string, MemberData[]>;
}

/**
 * The terminology service held in memory: built from the database tables (`load`, what the server
 * uses) or straight from the files (`loadTerminologyFromFiles`, tools and tests).
 */
export class NosTerminology implements Terminology {
  private readonly valueSets = new Map<string, IndexedValueSet>();
  private readonly concepts = new Map<string, ConceptData>();
  private readonly codeSystemsByOid = new Map<string, string>();
  private readonly codeSystemUrls = new Set<string>();

  constructor(readonly data: TerminologyData) {
    for (const cs of data.codeSystems) {
      this.codeSystemUrls.add(cs.url);
      if (cs.oid) this.codeSystemsByOid.set(cs.oid, cs.url);
    }
    for (const c of data.concepts) this.concepts.set(`${c.system}|${c.code}`, c);
    for (const vs of data.valueSets) {
      const byCode = new Map<string, MemberData[]>();
      for (const m of vs.members) {
        const list = byCode.get(m.code);
        if (list) list.push(m);
        else byCode.set(m.code, [m]);
      }
      this.valueSets.set(vs.url, { data: vs, byCode });
    }
  }

  /** Builds the service from the terminology tables (migration 010, loaded by 011 or `importNos`). */
  static async load(db: Queryable): Promise<NosTerminology> {
    const { readTerminologyTables } = await import('./terminology-tables.ts');
    return new NosTerminology(await readTerminologyTables(db));
  }

  hasValueSet(url: string): boolean {
    return this.valueSets.has(canonical(url));
  }

  valueSet(url: string): ValueSetData | undefined {
    return this.valueSets.get(canonical(url))?.data;
  }

  valueSetUrls(): string[] {
    return [...this.valueSets.keys()];
  }

  hasCodeSystem(url: string): boolean {
    return this.codeSystemUrls.has(this.systemUrl(url));
  }

  /** `urn:oid:…` of a loaded code system → its URL; other systems unchanged. */
  systemUrl(system: string): string {
    if (system.startsWith('urn:oid:')) return this.codeSystemsByOid.get(system.slice(8)) ?? system;
    return system;
  }

  /** The code system concept (labels, dates), if the code system is loaded. */
  concept(system: string, code: string): ConceptData | undefined {
    return this.concepts.get(`${this.systemUrl(system)}|${code}`);
  }

  lookup(system: string, code: string): ConceptInfo | undefined {
    const sys = this.systemUrl(system);
    const c = this.concepts.get(`${sys}|${code}`);
    if (c) return toInfo(c);
    // Code systems not in the store (TRE_R211…): the label a value set gives for the code.
    for (const vs of this.valueSets.values()) {
      const m = vs.byCode.get(code)?.find((x) => x.system === sys && x.display);
      if (m) return { system: sys, code, display: m.display, retired: false };
    }
    return undefined;
  }

  validateCode(valueSetUrl: string, system: string | undefined, code: string): CodeCheck {
    return this.check(canonical(valueSetUrl), system === undefined ? undefined : this.systemUrl(system), code, new Set());
  }

  private check(url: string, system: string | undefined, code: string, visiting: Set<string>): CodeCheck {
    const vs = this.valueSets.get(url);
    if (!vs) return { result: 'unknown-valueset' };
    visiting.add(url);
    const candidates = vs.byCode.get(code) ?? [];
    const exact = candidates.find((m) => m.systemKnown && (system === undefined || m.system === system));
    if (exact) return { result: 'valid', concept: this.memberInfo(exact) };
    // Rows known only by OID: the caller naming that same OID is an exact match.
    const sameOid = candidates.find((m) => !m.systemKnown && m.system === system);
    if (sameOid) return { result: 'valid', concept: this.memberInfo(sameOid) };
    const codeOnly = candidates.find((m) => !m.systemKnown);
    if (codeOnly) {
      return {
        result: 'valid',
        concept: { ...this.memberInfo(codeOnly), system: system ?? codeOnly.system, unverified: 'system' },
      };
    }
    if (system !== undefined && vs.data.includeSystems.includes(system)) {
      // The whole code system is included but not loaded here: the code cannot be checked.
      return { result: 'valid', concept: { system, code, display: code, retired: false, unverified: 'code' } };
    }
    let unknownInclude = false;
    for (const inc of vs.data.includeValueSets) {
      const key = canonical(inc);
      if (visiting.has(key)) continue;
      const r = this.check(key, system, code, visiting);
      if (r.result === 'valid') return r;
      if (r.result === 'unknown-valueset') unknownInclude = true;
    }
    // Part of the value set is not loaded: the code may be there.
    if (unknownInclude) return { result: 'unknown-valueset' };
    return { result: 'invalid', valueSetName: vs.data.name, message: invalidMessage(vs.data, system, code, candidates) };
  }

  private memberInfo(m: MemberData): ConceptInfo {
    const c = m.systemKnown ? this.concepts.get(`${m.system}|${m.code}`) : undefined;
    if (c) return { ...toInfo(c), retired: c.retired || Boolean(m.removed) };
    return { system: m.system, code: m.code, display: m.display, retired: Boolean(m.removed) };
  }
}

function toInfo(c: ConceptData): ConceptInfo {
  return {
    system: c.system,
    code: c.code,
    display: c.display,
    retired: c.retired,
    ...(c.shortLabel ? { shortLabel: c.shortLabel } : {}),
    ...(c.longLabel ? { longLabel: c.longLabel } : {}),
  };
}

function invalidMessage(vs: ValueSetData, system: string | undefined, code: string, sameCode: MemberData[]): { fr: string; en: string } {
  const label = vs.title ? `${vs.name} (${vs.title})` : vs.name;
  const sys = system ? ` du système ${system}` : '';
  const sysEn = system ? ` of system ${system}` : '';
  if (sameCode.length) {
    const other = sameCode.map((m) => m.system).join(', ');
    return {
      fr: `Le code « ${code} »${sys} n'appartient pas au jeu de valeurs ${label} ; ce code y figure avec le système ${other}`,
      en: `Code '${code}'${sysEn} is not in value set ${vs.name}; the value set has this code with system ${other}`,
    };
  }
  return {
    fr: `Le code « ${code} »${sys} n'appartient pas au jeu de valeurs ${label}`,
    en: `Code '${code}'${sysEn} is not in value set ${vs.name}`,
  };
}

/** Reads and resolves the terminology files of the NOS folder and, optionally, of the IG folder. */
export async function readTerminologyFiles(nosDir: string, igDir?: string): Promise<{ files: ParsedFile[]; data: ReturnType<typeof buildCatalogue> }> {
  const files = [...(await parseFolder(nosDir)), ...(igDir ? await parseFolder(igDir) : [])];
  return { files, data: buildCatalogue(files) };
}

/**
 * The in-memory service straight from the files (no database). `igDir` undefined → the default IG
 * folder when it exists; `null` → NOS files only.
 */
export async function loadTerminologyFromFiles(nosDir: string = defaultNosDir(), igDir?: string | null): Promise<NosTerminology> {
  const ig = igDir === undefined ? (fs.existsSync(defaultIgDir()) ? defaultIgDir() : undefined) : (igDir ?? undefined);
  const { data } = await readTerminologyFiles(nosDir, ig);
  return new NosTerminology(data);
}
