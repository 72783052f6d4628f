/**
 * How each entry-template item (by linkId, see src/templates/questionnaires) reads and writes its ROR resource
 * element, and which validation paths (`OperationOutcome.issue.expression`) belong to it. Pure functions.
 */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Code { system?: string; code: string; display: string }
export interface Place { code: string; name: string }
export type Answer = string | number | null | Code[] | Place[];

const ROR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const tre = (n: string) => `https://mos.esante.gouv.fr/NOS/TRE_${n}/FHIR/TRE-${n}`;
const SYS = {
  channel: tre('R200-CanalCommunication'),
  confidentiality: tre('R283-NiveauConfidentialite'),
  contactPurpose: tre('R287-NatureContact'),
  divisionType: tre('R201-TypeDivisionTerritoriale'),
  commune: tre('R13-CommuneOM'),
  capacityType: tre('R329-NatureCapacite'),
  capacityStatus: tre('R330-TypeStatutCapacite'),
  capacityTemporality: 'urn:oid:1.2.250.1.213.3.3.214',
  capacitySource: 'urn:oid:1.2.250.1.213.3.3.218',
  temporaryAssignment: tre('R337-AffectationTemporaire'),
};
const ext = (r: Json | undefined, url: string): Json[] => ((r?.extension ?? []) as Json[]).filter((e) => e.url === url);
const codingOf = (cc: Json | undefined): Code | null => {
  const c = cc?.coding?.[0] ?? (cc?.code ? cc : undefined);
  return c?.code ? { system: c.system, code: c.code, display: c.display ?? c.code } : null;
};
const cc = (c: Code) => ({ coding: [{ ...(c.system ? { system: c.system } : {}), code: c.code, display: c.display }] });
const telecom = (system: 'phone' | 'email', value: string, channel: string, level: string) => ({
  extension: [
    { url: `${ROR}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: SYS.channel, code: channel }] } },
    { url: `${ROR}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: SYS.confidentiality, code: level }] } },
  ],
  system, value,
});

/** Codings of a list of CodeableConcepts that belong to a value set (known by the systems its expansion uses). */
const inSet = (list: Json[] | undefined, systems: Set<string>): Code[] =>
  (list ?? []).flatMap((x) => (x.coding ?? []) as Json[]).filter((c) => systems.has(c.system)).map((c) => ({ system: c.system, code: c.code, display: c.display ?? c.code }));

export interface Binding {
  read(r: Json, systems: Set<string>): Answer;
  /** Writes the answer into `r` (mutated); returns the validation path prefixes this item owns. */
  write(r: Json, value: Answer, systems: Set<string>, all: Record<string, Answer>): string[];
}

/** A repeated CodeableConcept element (specialty, characteristic) whose codings of the item's value set are replaced. */
function codedList(element: 'specialty' | 'characteristic' | 'type', type: string): Binding {
  return {
    read: (r, systems) => inSet(r[element], systems),
    write(r, value, systems) {
      const others = ((r[element] ?? []) as Json[]).filter((x) => !((x.coding ?? []) as Json[]).some((c) => systems.has(c.system)));
      const mine = ((value as Code[]) ?? []).map(cc);
      r[element] = [...others, ...mine];
      if (!r[element].length) delete r[element];
      return mine.map((_, i) => `${type}.${element}[${others.length + i}]`).concat(mine.length ? [] : [`${type}.${element}`]);
    },
  };
}

function str(path: string, type: string, opts: { array?: boolean } = {}): Binding {
  return {
    read: (r) => (opts.array ? r[path]?.[0] : r[path]) ?? '',
    write(r, value) {
      const v = typeof value === 'string' ? value.trim() : value;
      if (v === '' || v == null) delete r[path];
      else r[path] = opts.array ? [v] : v;
      return [`${type}.${path}`];
    },
  };
}

const PATIENT = `${ROR}ror-healthcareservice-patient-type`;
function patient(r: Json): Json {
  let p = ext(r, PATIENT)[0];
  if (!p) {
    p = { url: PATIENT, extension: [] };
    r.extension = [...(r.extension ?? []), p];
  }
  return p;
}
const patientPath = (r: Json) => `HealthcareService.extension[${(r.extension as Json[]).findIndex((e) => e.url === PATIENT)}]`;
function ageBinding(which: 'low' | 'high'): Binding {
  return {
    read: (r) => ext(ext(r, PATIENT)[0], 'ageRange')[0]?.valueRange?.[which]?.value ?? null,
    write(r, value) {
      const p = patient(r);
      let range = ext(p, 'ageRange')[0];
      if (!range) {
        range = { url: 'ageRange', valueRange: {} };
        p.extension.push(range);
      }
      if (value === null || value === '') delete range.valueRange[which];
      else range.valueRange[which] = { value: Number(value), unit: 'a', code: 'a' };
      return [patientPath(r), `HealthcareService.extension('${PATIENT}')`];
    },
  };
}

const CONTACT = `${ROR}ror-healthcareservice-contact`;
const CONTACT_TEL = `${ROR}ror-healthcareservice-contact-telecom`;
function offerContact(r: Json, level: string): Json {
  let c = ext(r, CONTACT)[0];
  if (!c) {
    c = { url: CONTACT, extension: [
      { url: 'purposeContact', valueCodeableConcept: { coding: [{ system: SYS.contactPurpose, code: '06', display: 'Standard' }] } },
      { url: `${ROR}ror-confidentiality-level`, valueCodeableConcept: { coding: [{ system: SYS.confidentiality, code: level }] } },
    ] };
    r.extension = [...(r.extension ?? []), c];
  }
  return c;
}
const contactPath = (r: Json) => `HealthcareService.extension[${(r.extension as Json[]).findIndex((e) => e.url === CONTACT)}]`;

const TERRITORY = `${ROR}ror-territorial-division`;
const SUPPORTED = `${ROR}ror-location-supported-capacity`;
/** The installed-capacity record (status 01 Installé) of a place. */
const installed = (r: Json) => ext(r, SUPPORTED).find((e) => ext(e, 'capacityStatus')[0]?.valueCodeableConcept?.coding?.[0]?.code === '01');
const capacityPath = (r: Json) => `Location.extension[${(r.extension as Json[]).indexOf(installed(r) as Json)}]`;

function phoneOf(list: Json[] | undefined) {
  return (list ?? []).find((t) => t.system === 'phone');
}

export const BINDINGS: Record<string, Binding> = {
  // HealthcareService (offer templates)
  name: str('name', 'HealthcareService'),
  comment: str('comment', 'HealthcareService'),
  field: codedList('type', 'HealthcareService'),
  activity: codedList('specialty', 'HealthcareService'),
  careMode: codedList('characteristic', 'HealthcareService'),
  receptionType: codedList('characteristic', 'HealthcareService'),
  receptionModality: codedList('characteristic', 'HealthcareService'),
  managementType: codedList('characteristic', 'HealthcareService'),
  takingCareSpeciality: codedList('characteristic', 'HealthcareService'),
  annualOpening: codedList('characteristic', 'HealthcareService'),
  ressourceProfession: codedList('characteristic', 'HealthcareService'),
  specificCompetence: codedList('characteristic', 'HealthcareService'),
  expertiseLevel: codedList('characteristic', 'HealthcareService'),
  public: {
    read: (r) => ext(ext(r, PATIENT)[0], 'supportedPatientInfo').map((e) => codingOf(e.valueCodeableConcept)).filter((c): c is Code => !!c),
    write(r, value) {
      const p = patient(r);
      p.extension = [...((value as Code[]) ?? []).map((c) => ({ url: 'supportedPatientInfo', valueCodeableConcept: cc(c) })), ...ext(p, 'ageRange')];
      return [patientPath(r)];
    },
  },
  ageLow: ageBinding('low'),
  ageHigh: ageBinding('high'),
  zone: {
    read: (r) => ext(r, TERRITORY).map((e) => codingOf(ext(e, 'codeTerritorialDivision')[0]?.valueCodeableConcept)).filter((c): c is Code => !!c).map((c) => ({ code: c.code, name: c.display })),
    write(r, value) {
      const others = ((r.extension ?? []) as Json[]).filter((e) => e.url !== TERRITORY);
      const zone = ((value as Place[]) ?? []).map((c) => ({
        url: TERRITORY,
        extension: [
          { url: 'typeTerritorialDivision', valueCodeableConcept: { coding: [{ system: SYS.divisionType, code: '3', display: "Zone d'intervention" }] } },
          { url: 'codeTerritorialDivision', valueCodeableConcept: { coding: [{ system: SYS.commune, code: c.code, display: c.name }] } },
        ],
      }));
      r.extension = [...others, ...zone];
      return zone.map((_, i) => `HealthcareService.extension[${others.length + i}]`);
    },
  },
  contactPhone: {
    read: (r) => ext(ext(ext(r, CONTACT)[0], CONTACT_TEL)[0], 'telecomAddress')[0]?.valueString ?? '',
    write(r, value, _s, all) {
      const v = String(value ?? '').trim();
      if (!v) return [];
      const level = ((all.contactConfidentiality as Code[] | undefined)?.[0]?.code) ?? '1';
      const c = offerContact(r, level);
      let tel = ext(c, CONTACT_TEL)[0];
      if (!tel) {
        tel = { url: CONTACT_TEL, extension: [
          { url: `${ROR}ror-telecom-communication-channel`, valueCodeableConcept: { coding: [{ system: SYS.channel, code: /^0[67]/.test(v) ? '1' : '2' }] } },
          { url: `${ROR}ror-telecom-confidentiality-level`, valueCodeableConcept: { coding: [{ system: SYS.confidentiality, code: level }] } },
          { url: 'telecomAddress', valueString: v },
        ] };
        c.extension.push(tel);
      } else {
        const address = ext(tel, 'telecomAddress')[0];
        if (address) address.valueString = v;
        else tel.extension.push({ url: 'telecomAddress', valueString: v });
      }
      return [contactPath(r)];
    },
  },
  contactConfidentiality: {
    read: (r) => {
      const c = codingOf(ext(ext(r, CONTACT)[0], `${ROR}ror-confidentiality-level`)[0]?.valueCodeableConcept);
      return c ? [c] : [];
    },
    write(r, value) {
      const level = (value as Code[])?.[0];
      const c = ext(r, CONTACT)[0];
      if (!level || !c) return [];
      const l = ext(c, `${ROR}ror-confidentiality-level`)[0];
      if (l) l.valueCodeableConcept = cc(level);
      return [contactPath(r)];
    },
  },
  mss: {
    read: (r) => ((r.telecom ?? []) as Json[]).find((t) => t.system === 'email')?.value ?? '',
    write(r, value) {
      const v = String(value ?? '').trim();
      const others = ((r.telecom ?? []) as Json[]).filter((t) => t.system !== 'email');
      const current = ((r.telecom ?? []) as Json[]).find((t) => t.system === 'email');
      const mine = v ? [current ? { ...current, value: v } : telecom('email', v, '3', '2')] : [];
      r.telecom = [...others, ...mine];
      if (!r.telecom.length) delete r.telecom;
      return mine.length ? [`HealthcareService.telecom[${others.length}]`] : [];
    },
  },

  // Organization (structure template)
  orgName: str('name', 'Organization'),
  orgAlias: str('alias', 'Organization', { array: true }),
  orgPhone: {
    read: (r) => phoneOf(r.telecom)?.value ?? '',
    write(r, value) {
      const v = String(value ?? '').trim();
      const list = (r.telecom ?? []) as Json[];
      const i = list.findIndex((t) => t.system === 'phone');
      if (!v) {
        if (i >= 0) list.splice(i, 1);
      } else if (i >= 0) list[i] = { ...list[i], value: v };
      else list.push(telecom('phone', v, '2', '1'));
      r.telecom = list;
      if (!list.length) delete r.telecom;
      const at = list.findIndex((t) => t.system === 'phone');
      return at >= 0 ? [`Organization.telecom[${at}]`] : [];
    },
  },
  orgMss: {
    read: (r) => ((r.telecom ?? []) as Json[]).find((t) => t.system === 'email')?.value ?? '',
    write(r, value) {
      const v = String(value ?? '').trim();
      const list = (r.telecom ?? []) as Json[];
      const i = list.findIndex((t) => t.system === 'email');
      if (!v) {
        if (i >= 0) list.splice(i, 1);
      } else if (i >= 0) list[i] = { ...list[i], value: v };
      else list.push(telecom('email', v, '3', '2'));
      r.telecom = list;
      if (!list.length) delete r.telecom;
      const at = list.findIndex((t) => t.system === 'email');
      return at >= 0 ? [`Organization.telecom[${at}]`] : [];
    },
  },
  orgAccessibility: extCode('Organization', `${ROR}ror-organization-accessibility-location`, false),
  orgFinancialHelp: extCode('Organization', `${ROR}ror-organization-financial-help-type`, true),

  // Location (place template)
  locName: str('name', 'Location'),
  locDescription: str('description', 'Location'),
  locStatus: {
    read: (r) => (r.operationalStatus?.code ? [{ system: r.operationalStatus.system, code: r.operationalStatus.code, display: r.operationalStatus.display ?? r.operationalStatus.code }] : []),
    write(r, value) {
      const c = (value as Code[])?.[0];
      if (c) r.operationalStatus = { system: c.system, code: c.code, display: c.display };
      else delete r.operationalStatus;
      return ['Location.operationalStatus'];
    },
  },
  locFunction: codedList('type', 'Location'),
  locPhone: {
    read: (r) => phoneOf(r.telecom)?.value ?? '',
    write(r, value) {
      const v = String(value ?? '').trim();
      const list = (r.telecom ?? []) as Json[];
      const i = list.findIndex((t) => t.system === 'phone');
      if (!v) {
        if (i >= 0) list.splice(i, 1);
      } else if (i >= 0) list[i] = { ...list[i], value: v };
      else list.push(telecom('phone', v, '2', '1'));
      r.telecom = list;
      if (!list.length) delete r.telecom;
      const at = list.findIndex((t) => t.system === 'phone');
      return at >= 0 ? [`Location.telecom[${at}]`] : [];
    },
  },
  locCapacityType: {
    read: (r) => {
      const c = codingOf(ext(installed(r), 'capacityType')[0]?.valueCodeableConcept);
      return c ? [c] : [];
    },
    write: (r) => (installed(r) ? [capacityPath(r)] : []), // written with the count (below)
  },
  locCapacity: {
    read: (r) => ext(installed(r), 'nbCapacity')[0]?.valueInteger ?? null,
    write(r, value, _s, all) {
      if (value === null || value === '') return [];
      const kind = (all.locCapacityType as Code[] | undefined)?.[0] ?? { system: SYS.capacityType, code: '01', display: 'Lit' };
      const now = new Date().toISOString();
      let rec = installed(r);
      if (!rec) {
        rec = { url: SUPPORTED, extension: [
          { url: 'capacityType', valueCodeableConcept: cc(kind) },
          { url: 'capacityStatus', valueCodeableConcept: { coding: [{ system: SYS.capacityStatus, code: '01', display: 'Installé' }] } },
          { url: 'temporalityCapacity', valueCodeableConcept: { coding: [{ system: SYS.capacityTemporality, code: '01', display: 'Courant' }] } },
          { url: 'nbCapacity', valueInteger: Number(value) },
          { url: 'capacitySourceType', valueCodeableConcept: { coding: [{ system: SYS.capacitySource, code: '01', display: 'Saisie manuelle' }] } },
          { url: 'capacityUpdateDate', valueDateTime: now },
          { url: 'temporaryAssignement', valueCodeableConcept: { coding: [{ system: SYS.temporaryAssignment, code: '01', display: 'Aucune' }] } },
        ] };
        r.extension = [...(r.extension ?? []), rec];
      } else {
        for (const e of rec.extension as Json[]) {
          if (e.url === 'nbCapacity') e.valueInteger = Number(value);
          if (e.url === 'capacityType') e.valueCodeableConcept = cc(kind);
          if (e.url === 'capacityUpdateDate') e.valueDateTime = now;
        }
      }
      return [capacityPath(r)];
    },
  },
};

/** A coded extension of the resource itself (one or several occurrences). */
function extCode(type: string, url: string, multiple: boolean): Binding {
  return {
    read: (r) => ext(r, url).map((e) => codingOf(e.valueCodeableConcept)).filter((c): c is Code => !!c),
    write(r, value) {
      const others = ((r.extension ?? []) as Json[]).filter((e) => e.url !== url);
      const mine = ((value as Code[]) ?? []).slice(0, multiple ? undefined : 1).map((c) => ({ url, valueCodeableConcept: cc(c) }));
      r.extension = [...others, ...mine];
      return mine.map((_, i) => `${type}.extension[${others.length + i}]`);
    },
  };
}
