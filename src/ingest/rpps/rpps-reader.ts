import readline from 'node:readline';
import { openBytes, type ReadProgress } from '../finess/input.ts';
import { field, type LineProblem } from '../finess/establishment.ts';

/**
 * Reader of the public Annuaire Santé extraction `PS_LibreAcces_Personne_activite` (data/README.md §2):
 * `|`-separated, a header line of 52 names, every line ending with `|` (53 fields once split), one line per
 * activity of a professional. Streamed line by line: the national file (~2M lines) is never held in memory.
 */

export const RPPS_COLUMNS = {
  idType: "Type d'identifiant PP",
  idPP: 'Identifiant PP',
  idNatPS: 'Identification nationale PP',
  civiliteExerciceCode: "Code civilité d'exercice",
  civiliteExercice: "Libellé civilité d'exercice",
  civiliteCode: 'Code civilité',
  civilite: 'Libellé civilité',
  nom: "Nom d'exercice",
  prenom: "Prénom d'exercice",
  professionCode: 'Code profession',
  profession: 'Libellé profession',
  categorieCode: 'Code catégorie professionnelle',
  categorie: 'Libellé catégorie professionnelle',
  savoirFaireTypeCode: 'Code type savoir-faire',
  savoirFaireType: 'Libellé type savoir-faire',
  savoirFaireCode: 'Code savoir-faire',
  savoirFaire: 'Libellé savoir-faire',
  modeCode: 'Code mode exercice',
  mode: 'Libellé mode exercice',
  siret: 'Numéro SIRET site',
  siren: 'Numéro SIREN site',
  finessSite: 'Numéro FINESS site',
  finessEJ: 'Numéro FINESS établissement juridique',
  structureId: 'Identifiant technique de la structure',
  raisonSociale: 'Raison sociale site',
  enseigne: 'Enseigne commerciale site',
  complementDestinataire: 'Complément destinataire (coord. structure)',
  complementGeo: 'Complément point géographique (coord. structure)',
  numeroVoie: 'Numéro Voie (coord. structure)',
  indiceRepetition: 'Indice répétition voie (coord. structure)',
  typeVoieCode: 'Code type de voie (coord. structure)',
  typeVoie: 'Libellé type de voie (coord. structure)',
  libelleVoie: 'Libellé Voie (coord. structure)',
  mentionDistribution: 'Mention distribution (coord. structure)',
  bureauCedex: 'Bureau cedex (coord. structure)',
  codePostal: 'Code postal (coord. structure)',
  codeCommune: 'Code commune (coord. structure)',
  commune: 'Libellé commune (coord. structure)',
  codePays: 'Code pays (coord. structure)',
  pays: 'Libellé pays (coord. structure)',
  telephone: 'Téléphone (coord. structure)',
  telephone2: 'Téléphone 2 (coord. structure)',
  telecopie: 'Télécopie (coord. structure)',
  email: 'Adresse e-mail (coord. structure)',
  departementCode: 'Code Département (structure)',
  departement: 'Libellé Département (structure)',
  ancienIdentifiant: 'Ancien identifiant de la structure',
  autorite: "Autorité d'enregistrement",
  secteurCode: "Code secteur d'activité",
  secteur: "Libellé secteur d'activité",
  sectionPharmacienCode: 'Code section tableau pharmaciens',
  sectionPharmacien: 'Libellé section tableau pharmaciens',
} as const;

export type RppsField = keyof typeof RPPS_COLUMNS;

/** One line of the file: an activity of a professional (fields absent when empty). */
export type RppsActivity = { line: number } & Partial<Record<RppsField, string>>;

export type RppsReadItem = { kind: 'activity'; record: RppsActivity } | { kind: 'rejected'; problem: LineProblem };

const NAMES = Object.entries(RPPS_COLUMNS) as [RppsField, string][];

function check(r: RppsActivity): LineProblem | null {
  const bad = (fr: string, en: string): LineProblem => ({ line: r.line, fr, en });
  if (!r.idNatPS || !/^\d{10,12}$/.test(r.idNatPS)) return bad(`identifiant national PP invalide « ${r.idNatPS ?? ''} »`, `invalid national PP identifier "${r.idNatPS ?? ''}"`);
  if (!r.nom) return bad("nom d'exercice absent", 'missing practice name');
  if (!r.professionCode || !/^\d{2}$/.test(r.professionCode)) return bad(`code profession invalide « ${r.professionCode ?? ''} »`, `invalid profession code "${r.professionCode ?? ''}"`);
  if (r.modeCode && !/^[SLB]$/.test(r.modeCode)) return bad(`mode d'exercice inconnu « ${r.modeCode} »`, `unknown practice mode "${r.modeCode}"`);
  if (r.codePostal && !/^\d{5}$/.test(r.codePostal)) return bad(`code postal invalide « ${r.codePostal} »`, `invalid postcode "${r.codePostal}"`);
  if (r.siret && !/^\d{14}$/.test(r.siret)) return bad(`SIRET invalide « ${r.siret} »`, `invalid SIRET "${r.siret}"`);
  return null;
}

export async function* readRpps(file: string, progress?: ReadProgress): AsyncGenerator<RppsReadItem> {
  const lines = readline.createInterface({ input: await openBytes(file, progress), crlfDelay: Infinity });
  let n = 0;
  let index: Map<RppsField, number> | null = null;
  let width = 0;
  for await (let text of lines) {
    n++;
    if (n === 1) text = text.replace(/^\uFEFF/, '');
    if (text === '') continue;
    const f = text.split('|');
    if (!index) {
      const header = f.map((h) => h.trim());
      const missing = NAMES.filter(([, name]) => !header.includes(name)).map(([, name]) => name);
      if (missing.length) throw new Error(`En-tête RPPS inattendu : colonnes absentes ${missing.slice(0, 5).join(', ')}`);
      index = new Map(NAMES.map(([k, name]) => [k, header.indexOf(name)]));
      width = f.length;
      continue;
    }
    if (f.length !== width) {
      yield { kind: 'rejected', problem: { line: n, fr: `${f.length} champs au lieu de ${width}`, en: `${f.length} fields instead of ${width}` } };
      continue;
    }
    const r: RppsActivity = { line: n };
    for (const [k, i] of index) {
      const v = field(f[i]);
      if (v !== undefined) r[k] = v;
    }
    const problem = check(r);
    if (problem) yield { kind: 'rejected', problem };
    else yield { kind: 'activity', record: r };
  }
}
