import path from 'node:path';
import { isJdvUrl, isTreUrl, type ParsedConcept, type ParsedFile, type TerminologyHeader } from './nos-files.ts';
import { normalizeText } from './search-text.ts';

/**
 * The terminology content once every file is read: code systems with their concepts, and value
 * sets whose rows are attached to the code system they really belong to. Both the in-memory
 * service and the database tables hold exactly this.
 */
export interface CodeSystemData extends TerminologyHeader {
  /** File it was read from (base name). */
  source: string;
}

export interface ConceptData extends ParsedConcept {
  system: string;
}

export interface MemberData {
  /**
   * The code system URL; when the NOS files name no code system for the row's OID,
   * `urn:oid:<oid>` with `systemKnown: false` (the code is then checked alone).
   */
  system: string;
  systemKnown: boolean;
  code: string;
  display: string;
  /** OID the file gives for the row's code system. */
  oid?: string;
  /** Gone from the value set file at a later import: kept, reported as retired (never deleted). */
  removed?: boolean;
}

export interface ValueSetData extends TerminologyHeader {
  source: string;
  members: MemberData[];
  includeSystems: string[];
  includeValueSets: string[];
}

export interface TerminologyData {
  codeSystems: CodeSystemData[];
  concepts: ConceptData[];
  valueSets: ValueSetData[];
}

/** A correction made while resolving (reported by the import, asserted by the tests). */
export interface ResolutionNote {
  valueSet: string;
  code: string;
  from: string;
  to: string;
}

export interface Catalogue extends TerminologyData {
  notes: ResolutionNote[];
}

/**
 * Resolves the rows of value sets to code systems:
 * - the OID → TRE URL map comes from the TRE files and from the pairs (include.system, designation OID)
 *   of the FHIR value sets;
 * - a row filed under a system that does not define it (J29: codes 06/07/08 under JDV_J29, TRE_R240,
 *   JDV_J30) moves to the loaded code system of the same value set that defines that code with that label;
 * - a row whose OID names no known code system keeps `urn:oid:<oid>` and is checked on its code alone.
 */
export function buildCatalogue(files: ParsedFile[], context?: TerminologyData): Catalogue {
  const codeSystems: CodeSystemData[] = [];
  const conceptsBySystem = new Map<string, Map<string, ConceptData>>();
  // What is already loaded (database) helps resolve the files, but only the files' content is returned.
  const known = new Map<string, Map<string, ConceptData>>();
  for (const c of context?.concepts ?? []) {
    const m = known.get(c.system) ?? new Map<string, ConceptData>();
    m.set(c.code, c);
    known.set(c.system, m);
  }
  const conceptsOf = (url: string) => conceptsBySystem.get(url) ?? known.get(url);
  const oidToSystem = new Map<string, string>();
  const ambiguousOids = new Set<string>();
  const mapOid = (oid: string | undefined, url: string) => {
    if (!oid || ambiguousOids.has(oid)) return;
    const seen = oidToSystem.get(oid);
    if (seen && seen !== url) {
      ambiguousOids.add(oid);
      oidToSystem.delete(oid);
    } else oidToSystem.set(oid, url);
  };

  for (const cs of context?.codeSystems ?? []) if (cs.oid) mapOid(cs.oid, cs.url);
  for (const vs of context?.valueSets ?? []) {
    for (const m of vs.members) if (m.oid && m.systemKnown && isTreUrl(m.system)) mapOid(m.oid, m.system);
  }
  for (const f of files) {
    const cs = f.codeSystem;
    if (!cs) continue;
    // Two files for one system (not the case today): the later file in name order wins.
    const existing = codeSystems.findIndex((c) => c.url === cs.url);
    const data: CodeSystemData = {
      url: cs.url,
      name: cs.name,
      oid: cs.oid,
      version: cs.version,
      title: cs.title,
      kind: cs.kind,
      source: path.basename(f.file),
    };
    if (existing >= 0) codeSystems[existing] = data;
    else codeSystems.push(data);
    const map = new Map<string, ConceptData>();
    for (const c of cs.concepts) map.set(c.code, { system: cs.url, ...c });
    conceptsBySystem.set(cs.url, map);
    if (cs.oid) mapOid(cs.oid, cs.url);
  }
  const jdvOids = new Map<string, string>();
  for (const f of files) {
    const vs = f.valueSet;
    if (!vs) continue;
    if (vs.oid) jdvOids.set(vs.oid, vs.url);
    for (const m of vs.members) {
      if (m.systemUrl && m.oid && isTreUrl(m.systemUrl)) mapOid(m.oid, m.systemUrl);
      if (m.systemUrl && m.oid && isJdvUrl(m.systemUrl)) jdvOids.set(m.oid, m.systemUrl);
    }
  }

  const notes: ResolutionNote[] = [];
  const valueSets: ValueSetData[] = [];
  for (const f of files) {
    const vs = f.valueSet;
    if (!vs) continue;
    const first = vs.members.map((m) => {
      const url = m.systemUrl && !isJdvUrl(m.systemUrl) ? m.systemUrl : m.oid ? oidToSystem.get(m.oid) : undefined;
      return { m, url };
    });
    // Loaded code systems that define at least one row of this value set as filed.
    const siblings = new Set(
      first.filter(({ m, url }) => url && conceptsOf(url)?.has(m.code)).map(({ url }) => url as string),
    );
    const members: MemberData[] = [];
    const seen = new Set<string>();
    for (const { m, url } of first) {
      let member: MemberData;
      if (url && conceptsOf(url)?.has(m.code)) {
        member = { system: url, systemKnown: true, code: m.code, display: m.display };
      } else {
        // A value set is not a code system: a row filed under a JDV URL always moves. A row filed under
        // a TRE not loaded here moves only to an active code of the same label: a retired one means the
        // code really moved to the other system (J186: Psychologue 93, retired in TRE_G15, now in TRE_R95).
        const filedUnderJdv = Boolean(m.systemUrl && isJdvUrl(m.systemUrl));
        const home = [...siblings].find((s) => {
          const c = conceptsOf(s)?.get(m.code);
          return sameLabel(c, m.display) && (filedUnderJdv || !c?.retired);
        });
        const filed = m.systemUrl ?? (m.oid ? `urn:oid:${m.oid}` : '');
        if (home) {
          member = { system: home, systemKnown: true, code: m.code, display: m.display };
          notes.push({ valueSet: vs.name, code: m.code, from: filed, to: home });
        } else if (url) {
          member = { system: url, systemKnown: true, code: m.code, display: m.display };
        } else {
          // No code system is named for this row here: never invent one; keep what the file says.
          member = { system: filed, systemKnown: false, code: m.code, display: m.display };
        }
      }
      // The OID names the system the row was filed under: kept only when the row stays there.
      if (m.oid && (member.system === url || !member.systemKnown)) member.oid = m.oid;
      const key = `${member.system}|${member.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      members.push(member);
    }
    // IG value sets list codes without display, or whole systems: take them from loaded code systems.
    for (const member of members) {
      if (!member.display) member.display = conceptsOf(member.system)?.get(member.code)?.display ?? '';
    }
    const includeSystems: string[] = [];
    for (const s of vs.includeSystems) {
      const loaded = conceptsOf(s);
      if (!loaded) {
        includeSystems.push(s);
        continue;
      }
      for (const c of loaded.values()) {
        const key = `${s}|${c.code}`;
        if (seen.has(key)) continue;
        seen.add(key);
        members.push({ system: s, systemKnown: true, code: c.code, display: c.display });
      }
    }
    // The same value set in two files (not the case today): the later file in name order wins.
    const dup = valueSets.findIndex((v) => v.url === vs.url);
    if (dup >= 0) valueSets.splice(dup, 1);
    valueSets.push({
      url: vs.url,
      name: vs.name,
      oid: vs.oid,
      version: vs.version,
      title: vs.title,
      kind: vs.kind,
      source: path.basename(f.file),
      members,
      includeSystems,
      includeValueSets: vs.includeValueSets,
    });
  }
  return {
    codeSystems,
    concepts: [...conceptsBySystem.values()].flatMap((m) => [...m.values()]),
    valueSets,
    notes,
  };
}

function sameLabel(c: ConceptData | undefined, display: string): boolean {
  if (!c) return false;
  const d = normalizeText(display);
  return [c.display, c.shortLabel, c.longLabel].some((l) => l !== undefined && normalizeText(l) === d);
}
