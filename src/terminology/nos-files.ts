import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Parsers for the three NOS file formats (see shared/data/README.md §4) and for the IG's own
 * CodeSystem/ValueSet JSON. They only read: which system a value-set row really belongs to is
 * decided afterwards, over all files together (catalogue.ts).
 */

/** What identifies a NOS or IG code system / value set, as its file gives it. */
export interface TerminologyHeader {
  url: string;
  name: string;
  oid?: string;
  version?: string;
  title?: string;
  kind: 'nos' | 'ig';
}

/** A code system as read from one file. */
export interface ParsedCodeSystem extends TerminologyHeader {
  concepts: ParsedConcept[];
}

export interface ParsedConcept {
  code: string;
  display: string;
  shortLabel?: string;
  longLabel?: string;
  /** ISO dates (YYYY-MM-DD). */
  validFrom?: string;
  validTo?: string;
  retired: boolean;
  version?: string;
}

/** A value-set row before resolution: the system is given as a URL, an OID, or both. */
export interface ParsedMember {
  systemUrl?: string;
  oid?: string;
  code: string;
  display: string;
}

export interface ParsedValueSet extends TerminologyHeader {
  members: ParsedMember[];
  /** `compose.include.system` without concepts: the whole code system. */
  includeSystems: string[];
  /** `compose.include.valueSet`. */
  includeValueSets: string[];
}

export interface ParsedFile {
  file: string;
  codeSystem?: ParsedCodeSystem;
  valueSet?: ParsedValueSet;
}

const NOS_BASE = 'https://mos.esante.gouv.fr/NOS';

/** Canonical URL of a NOS TRE/JDV from its name: `JDV_J17-X` → `…/NOS/JDV_J17-X/FHIR/JDV-J17-X`. */
export function nosCanonicalUrl(name: string): string {
  return `${NOS_BASE}/${name}/FHIR/${name.replace('_', '-')}`;
}

/** `JDV_J17-ActiviteOperationnelle-ROR` from a canonical URL (also from the malformed ones of a few files). */
export function nosNameFromUrl(url: string): string | undefined {
  const m = /\/NOS\/((?:TRE|JDV|ASS)_[A-Za-z0-9]+-[^/]*?)(?:\.tabs)?\/FHIR\//.exec(url);
  return m?.[1];
}

export function isTreUrl(url: string): boolean {
  return url.startsWith(`${NOS_BASE}/TRE_`);
}

export function isJdvUrl(url: string): boolean {
  return url.startsWith(`${NOS_BASE}/JDV_`);
}

/** `20230127120000` → `2023-01-27`. */
function tabsDate(s: string | undefined): string | undefined {
  if (!s || !/^\d{8}/.test(s)) return undefined;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** `2023-01-27T12:00:00+01:00` → `20230127120000` (the NOS version form). */
function versionFromDateTime(s: string | undefined): string | undefined {
  const m = s ? /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(s) : null;
  return m ? `${m[1]}${m[2]}${m[3]}${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}` : undefined;
}

function stripOid(v: string | undefined): string | undefined {
  return v?.replace(/^urn:oid:/, '') || undefined;
}

export class NosFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${path.basename(file)}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'NosFileError';
  }
}

/** NOS `.tabs`: header, metadata line, column names, then one record per line. */
export function parseTabs(file: string, text: string): ParsedFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length < 3) throw new NosFileError(file, undefined, 'fewer than 3 lines');
  const meta = lines[1].split(';');
  const [oid, type, fileName, description, , , , updated] = meta;
  const name = (fileName || path.basename(file)).replace(/\.tabs$/, '');
  const columns = lines[2].split(';');
  const version = updated || undefined;
  const rows: { fields: string[]; line: number }[] = [];
  for (let i = 3; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const fields = lines[i].split(';');
    if (fields.length !== columns.length) {
      throw new NosFileError(file, i + 1, `${fields.length} fields, ${columns.length} expected`);
    }
    rows.push({ fields, line: i + 1 });
  }
  const header: TerminologyHeader = {
    url: nosCanonicalUrl(name), name, oid: oid || undefined, version, title: description || undefined, kind: 'nos',
  };
  if (type === 'TRE') {
    // TRE rows: OID;Code;Libellé adapté;Libellé court;Libellé long;Date valid;Date fin;Date MàJ.
    // The per-row OID is ignored: in TRE_R244 rows 93–112 carry other OIDs; the file is one system.
    return {
      file,
      codeSystem: {
        ...header,
        concepts: rows.map(({ fields: f }) => ({
          code: f[1],
          display: f[2] || f[4] || f[3],
          shortLabel: f[3] || undefined,
          longLabel: f[4] || undefined,
          validFrom: tabsDate(f[5]),
          validTo: tabsDate(f[6]),
          retired: f[6] !== '',
          version: f[7] || undefined,
        })),
      },
    };
  }
  if (type === 'JDV') {
    return {
      file,
      valueSet: {
        ...header,
        members: rows.map(({ fields: f }) => ({ oid: f[0] || undefined, code: f[1], display: f[2] })),
        includeSystems: [],
        includeValueSets: [],
      },
    };
  }
  // ASS (association tables) and anything else: not a code system or value set.
  return { file };
}

interface FhirConcept {
  code: string;
  display?: string;
  designation?: { use?: { code?: string }; value?: string }[];
  property?: { code: string; valueDateTime?: string; valueString?: string; valueBoolean?: boolean; valueCode?: string }[];
  concept?: FhirConcept[];
}

interface FhirTerminologyResource {
  resourceType: string;
  url?: string;
  name?: string;
  title?: string;
  description?: string;
  version?: string;
  date?: string;
  identifier?: { value?: string }[];
  status?: string;
  concept?: FhirConcept[];
  compose?: { include?: { system?: string; concept?: FhirConcept[]; valueSet?: string[] }[] };
}

function designation(c: FhirConcept, use: string): string | undefined {
  return c.designation?.find((d) => d.use?.code === use)?.value?.trim() || undefined;
}

function flattenConcepts(concepts: FhirConcept[] = []): FhirConcept[] {
  return concepts.flatMap((c) => [c, ...flattenConcepts(c.concept)]);
}

/** ANS FHIR JSON, IG-publisher NOS JSON and IG-local JSON: a CodeSystem or a ValueSet. */
export function parseFhirJson(file: string, text: string): ParsedFile {
  let res: FhirTerminologyResource;
  try {
    res = JSON.parse(text.replace(/^\uFEFF/, '')) as FhirTerminologyResource;
  } catch (err) {
    throw new NosFileError(file, undefined, `invalid JSON: ${(err as Error).message}`);
  }
  const name = res.name ?? path.basename(file, '.json');
  // NOS resources: the canonical URL comes from the name (some files carry a malformed url).
  const nosName = /^(TRE|JDV)_/.test(name) ? name : undefined;
  const url = nosName ? nosCanonicalUrl(nosName) : res.url;
  if (!url) throw new NosFileError(file, undefined, 'no url');
  const kind = nosName ? 'nos' : 'ig';
  const oid = stripOid(res.identifier?.find((i) => i.value?.startsWith('urn:oid:'))?.value);
  // IG-publisher copies carry the IG version (0.1.0); the NOS version is then the date.
  const version = res.version && /^\d{14}$/.test(res.version) ? res.version : kind === 'nos' ? versionFromDateTime(res.date) : res.version;
  const title = res.title ?? res.description?.trim();
  if (res.resourceType === 'CodeSystem') {
    return {
      file,
      codeSystem: {
        url,
        name: nosName ?? name,
        oid,
        version,
        title,
        kind,
        concepts: flattenConcepts(res.concept).map((c) => {
          const prop = (code: string) => {
            const p = c.property?.find((x) => x.code === code);
            return p?.valueDateTime ?? p?.valueString ?? p?.valueCode;
          };
          const validTo = prop('dateFin')?.slice(0, 10);
          const deprecated = c.property?.some(
            (p) => (p.code === 'status' && (p.valueCode === 'retired' || p.valueCode === 'deprecated')) || (p.code === 'deprecated' && p.valueBoolean === true),
          );
          return {
            code: c.code,
            // Same label as the .tabs `Libellé adapté`, which is also what the JDV rows carry;
            // the FHIR `display` is the long label.
            display: (designation(c, 'LibelleAdapte') ?? c.display ?? c.code).trim(),
            shortLabel: designation(c, 'LibelleCourt'),
            longLabel: c.display?.trim() || undefined,
            validFrom: prop('dateValid')?.slice(0, 10),
            validTo,
            retired: Boolean(validTo) || Boolean(deprecated),
            version: versionFromDateTime(prop('dateMaj')),
          };
        }),
      },
    };
  }
  if (res.resourceType === 'ValueSet') {
    const members: ParsedMember[] = [];
    const includeSystems: string[] = [];
    const includeValueSets: string[] = [];
    for (const inc of res.compose?.include ?? []) {
      includeValueSets.push(...(inc.valueSet ?? []));
      if (!inc.system) continue;
      if (!inc.concept?.length) {
        if (!inc.valueSet?.length) includeSystems.push(inc.system);
        continue;
      }
      for (const c of inc.concept) {
        members.push({
          systemUrl: inc.system,
          oid: stripOid(designation(c, 'OID')),
          code: c.code,
          display: (c.display ?? '').trim(),
        });
      }
    }
    return {
      file,
      valueSet: { url, name: nosName ?? name, oid, version, title, kind, members, includeSystems, includeValueSets },
    };
  }
  return { file };
}

/** Whether a file name is one of the terminology files we read. */
export function isTerminologyFile(name: string): boolean {
  return (
    name.endsWith('.tabs') ||
    (name.endsWith('.json') && (/^(CodeSystem|ValueSet)-/.test(name) || /^(TRE|JDV)_.*-FHIR\.json$/.test(name)))
  );
}

export async function parseFile(file: string): Promise<ParsedFile> {
  const text = await fs.readFile(file, 'utf8');
  return file.endsWith('.tabs') ? parseTabs(file, text) : parseFhirJson(file, text);
}

/** Parses every terminology file of a folder (sorted by name, for stable results). */
export async function parseFolder(dir: string): Promise<ParsedFile[]> {
  const names = (await fs.readdir(dir)).filter(isTerminologyFile).sort();
  return Promise.all(names.map((n) => parseFile(path.join(dir, n))));
}
